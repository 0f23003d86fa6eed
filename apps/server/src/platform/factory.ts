import type { ControlPlaneDeps } from '../control-plane.js';
import { KubernetesPlatform } from './kubernetes.js';
import { LocalPlatform } from './local.js';
import { PlatformRegistry } from './registry.js';
import type { Platform } from './types.js';

export async function createPlatforms(deps: ControlPlaneDeps): Promise<PlatformRegistry> {
  const platforms: Platform[] = [];
  for (const account of deps.config.platforms) {
    if (account.type === 'local') {
      platforms.push(
        new LocalPlatform({
          name: account.name,
          workDir: account.workDir,
          maxConcurrent: account.maxConcurrent,
          defaults: account.defaults,
          databaseUrl: deps.databaseUrl,
          logger: deps.logger.child({ platform: account.name }),
        }),
      );
    } else {
      platforms.push(
        new KubernetesPlatform({
          name: account.name,
          namespace: account.namespace,
          kubeconfig: account.kubeconfig,
          context: account.context,
          maxConcurrent: account.maxConcurrent,
          defaults: account.defaults,
          databaseSecret: account.databaseSecret ?? { name: 'batchyard-database', key: 'url' },
          pendingTimeoutSeconds: account.pendingTimeoutSeconds,
          logger: deps.logger.child({ platform: account.name }),
        }),
      );
    }
  }
  return new PlatformRegistry(platforms);
}
