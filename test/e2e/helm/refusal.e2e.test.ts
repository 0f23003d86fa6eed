import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canMountPrivately } from '../../cluster/src/node-agent/volumes.js';
import { createTestNamespace, type TestNamespace, waitFor } from '../../cluster/src/testing.js';
import { createTestDatabase, type TestDatabase } from '../../setup/database.js';
import { chart, freePort, helm } from './support.js';

/**
 * Installed without its Role (rbac.create=false), the server must not start half-working: it exits
 * with every missing permission named, and the pod's log says so.
 */
describe.runIf(canMountPrivately())('helm install without RBAC', () => {
  let ns: TestNamespace;
  let db: TestDatabase;

  beforeAll(async () => {
    ns = await createTestNamespace('norbac');
    db = await createTestDatabase();
    await ns.core.createNamespacedSecret({
      namespace: ns.namespace,
      body: { metadata: { name: 'batchyard-database' }, stringData: { url: db.url } },
    });
    const port = await freePort();
    await helm([
      'install',
      'bare',
      chart,
      '--namespace',
      ns.namespace,
      '--set',
      `rbac.create=false,postgresql.enabled=false,database.existingSecret=batchyard-database,image.tag=e2e,tmpDir=/var/tmp/batchyard-e2e,containerPort=${port}`,
    ]);
  });
  afterAll(async () => {
    await helm(['uninstall', 'bare', '--namespace', ns.namespace]).catch(() => undefined);
    await ns?.cleanup();
    await db?.drop();
  });

  it('refuses to start and names every missing verb on every resource', async () => {
    const log = await waitFor(
      'the refusal in the server log',
      async () => {
        const pods = await ns.core.listNamespacedPod({
          namespace: ns.namespace,
          labelSelector: 'app.kubernetes.io/instance=bare',
        });
        const name = pods.items[0]?.metadata?.name;
        if (!name) return undefined;
        // The container restarts after refusing (Deployment): its refusal may be in the log of the
        // previous instance while the current one is still starting.
        const read = (previous: boolean) =>
          ns.core
            .readNamespacedPodLog({ name, namespace: ns.namespace, previous })
            .catch(() => '')
            .then(String);
        const text = `${await read(true)}\n${await read(false)}`;
        return text.includes('permission(s) the server needs') ? text : undefined;
      },
      90_000,
    );
    expect(log).toContain(`(system:serviceaccount:${ns.namespace}:bare-batchyard) lack`);
    expect(log).toContain('lack 15 permission(s)');
    for (const line of [
      'jobs.batch: create, get, list, watch, delete',
      'cronjobs.batch: create, get, update, delete',
      'pods: list, watch',
      'pods/log: get',
      'events: list',
      'resourcequotas: list, watch',
    ]) {
      expect(log).toContain(`namespace ${ns.namespace}: ${line}`);
    }
    // It exited rather than serving half-working. (The node agent does not run readiness probes, so
    // a restarted instance counts as ready while it runs; the exit code is what shows the refusal.)
    const exited = await waitFor(
      'the refusing container to have exited',
      async () => {
        const pod = (
          await ns.core.listNamespacedPod({
            namespace: ns.namespace,
            labelSelector: 'app.kubernetes.io/instance=bare',
          })
        ).items[0];
        const status = pod?.status?.containerStatuses?.[0];
        return status?.state?.terminated ?? status?.lastState?.terminated;
      },
      90_000,
    );
    expect(exited.exitCode).not.toBe(0);
  });
});
