import { tablePrefixes } from '../config.js';
import type { ControlPlaneDeps } from '../control-plane.js';
import { KubernetesPlatform } from './kubernetes.js';
import { LocalPlatform } from './local.js';
import { assertPermissions, serviceAccountNamespace } from './rbac.js';
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
          mavenLocalRepository: account.mavenLocalRepository,
          java: account.java,
          logger: deps.logger.child({ platform: account.name }),
        }),
      );
    } else {
      const platform = new KubernetesPlatform({
        name: account.name,
        // In a pod without an explicit namespace: the service account's own namespace.
        namespace: account.namespace ?? serviceAccountNamespace(),
        kubeconfig: account.kubeconfig,
        context: account.context,
        maxConcurrent: account.maxConcurrent,
        defaults: account.defaults,
        databaseSecret: account.databaseSecret ?? { name: 'batchyard-database', key: 'url' },
        springDatasourceSecret: {
          urlKey: 'jdbc-url',
          usernameKey: 'username',
          passwordKey: 'password',
          ...account.springDatasourceSecret,
          name: account.springDatasourceSecret?.name ?? account.databaseSecret?.name ?? 'batchyard-database',
        },
        pendingTimeoutSeconds: account.pendingTimeoutSeconds,
        ...(account.taskApiUrl
          ? {
              taskApi: {
                url: account.taskApiUrl,
                tokenAudience: deps.config.auth.kubernetes?.audience,
                tokenExpirationSeconds: account.taskTokenExpirationSeconds,
              },
            }
          : {}),
        tablePrefixes: tablePrefixes(deps.config),
        quotaRelistSeconds: account.quotaRelistSeconds,
        logger: deps.logger.child({ platform: account.name }),
      });
      // Refuse to start without the RBAC the platform needs, naming every missing permission.
      await assertPermissions(platform.kc, account.name, [platform.namespace]);
      platforms.push(platform);
    }
  }
  return new PlatformRegistry(platforms);
}
