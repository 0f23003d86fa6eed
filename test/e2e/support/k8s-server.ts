import { startTestServer, type TestServer } from '../../../apps/server/test/harness.js';
import { createTestNamespace, kubeconfigPath, type TestNamespace } from '../../cluster/src/testing.js';
import { createTestDatabase, type TestDatabase } from '../../setup/database.js';

export { until } from '../../setup/until.js';

/**
 * A Batchyard server whose platform account is a fresh namespace of the test control plane, over a
 * fresh database whose URL task pods receive through the `batchyard-database` Secret.
 */
export interface K8sServer {
  ns: TestNamespace;
  db: TestDatabase;
  server: TestServer;
  /** The environment the server was configured with (to start another on the same database). */
  env: NodeJS.ProcessEnv;
  restart(): Promise<TestServer>;
  close(): Promise<void>;
}

export interface Execution {
  id: number;
  status: string;
  taskName: string;
  exitCode: number | null;
  reason: string | null;
  errorMessage: string | null;
  externalExecutionId: string | null;
  scheduleName: string | null;
  manifest: unknown;
}

export const TERMINAL = ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'];

export async function startK8sServer(
  prefix: string,
  account: Record<string, unknown> = {},
): Promise<K8sServer> {
  const ns = await createTestNamespace(prefix);
  const db = await createTestDatabase();
  await ns.core.createNamespacedSecret({
    namespace: ns.namespace,
    body: { metadata: { name: 'batchyard-database' }, stringData: { url: db.url } },
  });
  const env: NodeJS.ProcessEnv = {
    BATCHYARD_PLATFORMS: JSON.stringify([
      {
        name: 'k8s',
        type: 'kubernetes',
        kubeconfig: kubeconfigPath(),
        namespace: ns.namespace,
        pendingTimeoutSeconds: 10,
        maxConcurrent: 500,
        defaults: { 'requests.cpu': '10m' },
        ...account,
      },
    ]),
    BATCHYARD_RESYNC_SECONDS: '2',
  };
  const handle: K8sServer = {
    ns,
    db,
    env,
    server: await startTestServer(env, { db, keepDatabase: true }),
    async restart() {
      handle.server = await startTestServer(env, { db, keepDatabase: true });
      return handle.server;
    },
    async close() {
      await handle.server.close().catch(() => undefined);
      await ns.cleanup();
      await db.drop();
    },
  };
  return handle;
}
