import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../apps/server/test/harness.js';
import { createTestNamespace, kubeconfigPath, type TestNamespace } from '../../cluster/src/testing.js';
import { createTestDatabase, type TestDatabase } from '../../setup/database.js';
import { until } from '../../setup/until.js';

/**
 * A composed definition naming another composed definition (SCDF cannot), on the test control
 * plane: the nested one runs as one child with children of its own, each a Job; the outer graph
 * goes on after its last grandchild; no runner pod anywhere.
 */

interface Execution {
  id: number;
  taskName: string;
  status: string;
  exitCode: number | null;
  platformType: string | null;
  externalExecutionId: string | null;
  startTime: string | null;
  endTime: string | null;
}

const TERMINAL = ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'];

describe('a nested composed task on Kubernetes', () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  let s: TestServer;
  const children = async (parent: number) =>
    (
      await s.request<{ items: Execution[] }>('GET', `/tasks/executions?parent=${parent}&size=50`)
    ).body.items.sort((a, b) => a.id - b.id);

  beforeAll(async () => {
    ns = await createTestNamespace('nested');
    db = await createTestDatabase();
    await ns.core.createNamespacedSecret({
      namespace: ns.namespace,
      body: { metadata: { name: 'batchyard-database' }, stringData: { url: db.url } },
    });
    s = await startTestServer(
      {
        BATCHYARD_PLATFORMS: JSON.stringify([
          {
            name: 'k8s',
            type: 'kubernetes',
            kubeconfig: kubeconfigPath(),
            namespace: ns.namespace,
            pendingTimeoutSeconds: 60,
            defaults: { 'requests.cpu': '10m' },
          },
        ]),
        BATCHYARD_RESYNC_SECONDS: '2',
      },
      { db, keepDatabase: true },
    );
    for (const app of ['a', 'b', 'c', 'd']) {
      const r = await s.request('POST', `/apps/task/${app}/1.0`, {
        uri: 'docker:batchyard/scripted-task:1.0',
        springContract: false,
      });
      expect(r.status).toBe(201);
    }
    for (const [name, definition] of [
      ['inner', 'b --print=in-b && c'],
      ['outer', 'a && inner && d'],
    ] as const) {
      expect((await s.request('POST', '/tasks/definitions', { name, definition })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await s?.close();
    await ns?.cleanup();
    await db?.drop();
  });

  it('runs the nested definition as one child whose children are Jobs, then the outer graph goes on', async () => {
    const r = await s.request<Execution>('POST', '/tasks/executions', { name: 'outer', arguments: [] });
    expect(r.status).toBe(201);
    const parent = await until(
      () => s.request<Execution>('GET', `/tasks/executions/${r.body.id}`).then((x) => x.body),
      (e) => TERMINAL.includes(e.status),
      'the outer composed task to end',
      120_000,
    );
    expect(parent).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    const kids = await children(parent.id);
    expect(kids.map((k) => k.taskName)).toEqual(['outer-a', 'outer-inner', 'outer-d']);
    const nested = kids[1]!;
    expect(nested).toMatchObject({ platformType: 'composed', status: 'COMPLETE', externalExecutionId: null });
    const grandchildren = await children(nested.id);
    expect(grandchildren.map((k) => [k.taskName, k.status])).toEqual([
      ['outer-inner-b', 'COMPLETE'],
      ['outer-inner-c', 'COMPLETE'],
    ]);
    // Every task ran as a Job of its own; the composed ones have none.
    const jobs = new Set(
      (await ns.batch.listNamespacedJob({ namespace: ns.namespace })).items.map((j) => j.metadata?.name),
    );
    const tasks = [kids[0]!, ...grandchildren, kids[2]!];
    expect(tasks.every((t) => jobs.has(t.externalExecutionId ?? ''))).toBe(true);
    expect(jobs.size).toBe(4);
    expect(Date.parse(kids[2]!.startTime!)).toBeGreaterThanOrEqual(Date.parse(grandchildren[1]!.endTime!));
  });
});
