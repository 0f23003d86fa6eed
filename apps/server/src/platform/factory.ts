import type { ControlPlaneDeps } from '../control-plane.js';
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
      throw new Error(`platform account ${account.name}: the kubernetes platform is not wired yet`);
    }
  }
  return new PlatformRegistry(platforms);
}
