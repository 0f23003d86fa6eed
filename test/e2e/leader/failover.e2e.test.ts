import type { V1Job } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../apps/server/test/harness.js';
import { createTestNamespace, kubeconfigPath } from '../../cluster/src/testing.js';
import { createTestDatabase } from '../../setup/database.js';
import { until } from '../../setup/until.js';
import { startServerProcess } from '../launch/server.js';

interface Execution {
  id: number;
  status: string;
  externalExecutionId: string | null;
}
interface About {
  replica: { id: string; leader: boolean; leaseBackend: string };
}
const TERMINAL = ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'];

/**
 * Failover on the test control plane with the Kubernetes Lease: two server replicas (A a real
 * process, B in this one) on one database and one namespace; a burst of 50 launches on B; A, the
 * leader, SIGKILLed mid-burst once it has dispatched from the queue; B takes the Lease over, and
 * every execution has exactly one Job and reaches its terminal state.
 */
describe('failover between two replicas on Kubernetes', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('launches each of 50 executions once across the SIGKILL of the leader', async () => {
    const ns = await createTestNamespace('failover');
    cleanups.push(() => ns.cleanup());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    await ns.core.createNamespacedSecret({
      namespace: ns.namespace,
      body: { metadata: { name: 'batchyard-database' }, stringData: { url: db.url } },
    });
    const env = {
      BATCHYARD_PLATFORMS: JSON.stringify([
        {
          name: 'k8s',
          type: 'kubernetes',
          kubeconfig: kubeconfigPath(),
          namespace: ns.namespace,
          maxConcurrent: 5,
          defaults: { 'requests.cpu': '10m' },
        },
      ]),
      BATCHYARD_REGISTER_SAMPLES: 'false',
      BATCHYARD_RESYNC_SECONDS: '2',
      BATCHYARD_LEADER_BACKEND: 'kubernetes',
      BATCHYARD_LEADER_LEASE_SECONDS: '4',
      BATCHYARD_LEADER_RENEW_DEADLINE_SECONDS: '2',
      BATCHYARD_LEADER_RETRY_SECONDS: '0.5',
    };
    const a = await startServerProcess({ ...env, DATABASE_URL: db.url, BATCHYARD_REPLICA_ID: 'replica-a' });
    cleanups.push(() => a.kill());
    await until(
      () => fetch(`${a.url}/about`).then((r) => r.json() as Promise<About>),
      (x) => x.replica.leader,
      'replica A to lead',
    );
    const b: TestServer = await startTestServer(
      { ...env, BATCHYARD_REPLICA_ID: 'replica-b' },
      { db, keepDatabase: true },
    );
    cleanups.push(() => b.close());
    expect((await b.request<About>('GET', '/about')).body.replica).toEqual({
      id: 'replica-b',
      leader: false,
      leaseBackend: 'kubernetes',
    });

    await b.request('POST', '/apps/task/scripted/1.0', { uri: 'docker:batchyard/scripted-task:1.0' });
    await b.request('POST', '/tasks/definitions', { name: 'burst', definition: 'scripted --sleep=500' });
    const send = (i: number) =>
      b.request<Execution>('POST', '/tasks/executions', { name: 'burst', arguments: [`--n=${i}`] });
    const launches = Array.from({ length: 25 }, (_, i) => send(i));
    // More than the 5 B started itself has started: A dispatched from the queue (B follows).
    await until(
      () => b.prisma.taskExecution.count({ where: { externalExecutionId: { not: null } } }),
      (n) => n > 5,
      'A to dispatch from the queue',
      120_000,
      100,
    );
    await a.kill('SIGKILL');
    launches.push(...Array.from({ length: 25 }, (_, i) => send(25 + i)));
    const launched = await Promise.all(launches);
    expect(launched.every((r) => r.status === 201)).toBe(true);
    const ids = launched.map((r) => r.body.id);

    await until(
      () => b.request<About>('GET', '/about').then((r) => r.body.replica.leader),
      (leading) => leading,
      'replica B to take the Lease over',
      60_000,
      200,
    );
    const finals = await until(
      () =>
        Promise.all(
          ids.map((id) => b.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body)),
        ),
      (all) => all.every((e) => TERMINAL.includes(e.status)),
      'every execution to end',
      300_000,
      500,
    );
    expect(finals.map((e) => e.status)).toEqual(ids.map(() => 'COMPLETE'));
    // One Job per execution, none twice.
    const jobs = await ns.batch.listNamespacedJob({
      namespace: ns.namespace,
      labelSelector: 'app.kubernetes.io/managed-by=batchyard',
    });
    const names = jobs.items.map((j: V1Job) => j.metadata?.name ?? '').sort();
    expect(names).toEqual(finals.map((e) => e.externalExecutionId ?? '').sort());
    expect(new Set(names).size).toBe(50);
    const lease = await ns.kc
      .makeApiClient((await import('@kubernetes/client-node')).CoordinationV1Api)
      .readNamespacedLease({ name: 'batchyard-leader', namespace: ns.namespace });
    expect(lease.spec?.holderIdentity).toBe('replica-b');
    const fence = await b.prisma.$queryRaw<{ holder: string; epoch: bigint }[]>`
      SELECT holder, epoch FROM leader_fence`;
    // A's term, then B's (B may have begun again after a slow renew on a loaded machine).
    expect(fence).toMatchObject([{ holder: 'replica-b' }]);
    expect(fence[0]!.epoch).toBeGreaterThanOrEqual(2n);
  });
});
