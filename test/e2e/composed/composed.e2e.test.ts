import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../apps/server/test/harness.js';
import { createTestNamespace, kubeconfigPath, type TestNamespace } from '../../cluster/src/testing.js';
import { createTestDatabase, type TestDatabase } from '../../setup/database.js';
import { until } from '../../setup/until.js';

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
const IMAGE = 'docker:batchyard/scripted-task:1.0';

const time = (iso: string | null) => new Date(iso ?? Number.NaN).getTime();

describe('composed task on Kubernetes: each child a Job, no runner pod', () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  let s: TestServer;
  const children = async (parent: number) =>
    (
      await s.request<{ items: Execution[] }>('GET', `/tasks/executions?parent=${parent}&size=50`)
    ).body.items.sort((a, b) => a.id - b.id);

  beforeAll(async () => {
    ns = await createTestNamespace('composed');
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
            maxConcurrent: 50,
            defaults: { 'requests.cpu': '10m' },
          },
        ]),
        BATCHYARD_RESYNC_SECONDS: '2',
      },
      { db, keepDatabase: true },
    );
    for (const app of ['extract', 'clean', 'enrich', 'load']) {
      expect((await s.request('POST', `/apps/task/${app}/1.0`, { uri: IMAGE })).status).toBe(201);
    }
    const def = await s.request('POST', '/tasks/definitions', {
      name: 'etl',
      definition: 'extract --print=extracting && <clean --sleep=3000 || enrich --sleep=3000> && load',
    });
    expect(def.status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
    await ns?.cleanup();
    await db?.drop();
  });

  it('runs extract && <clean || enrich> && load as four Jobs in order, the branches overlapping', async () => {
    const r = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'etl',
      arguments: ['--print=from-parent'],
      properties: { 'deployer.*.backoffLimit': '0' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'RUNNING', platformType: 'composed', externalExecutionId: null });
    const parent = await until(
      () => s.request<Execution>('GET', `/tasks/executions/${r.body.id}`).then((x) => x.body),
      (e) => TERMINAL.includes(e.status),
      'the composed task to end',
    );
    expect(parent).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    const kids = await children(parent.id);
    // The two branches start together, so their ids may come in either order.
    expect(kids.map((k) => k.taskName).sort()).toEqual([
      'etl-clean',
      'etl-enrich',
      'etl-extract',
      'etl-load',
    ]);
    const jobs = await ns.batch.listNamespacedJob({ namespace: ns.namespace });
    const names = new Set(jobs.items.map((j) => j.metadata?.name));
    for (const kid of kids) {
      expect(kid.status).toBe('COMPLETE');
      expect(names.has(kid.externalExecutionId ?? '')).toBe(true);
    }
    expect(jobs.items).toHaveLength(4); // no runner Job for the parent
    const by = new Map(kids.map((k) => [k.taskName.slice('etl-'.length), k]));
    const [extract, clean, enrich, load] = ['extract', 'clean', 'enrich', 'load'].map((n) => by.get(n)!) as [
      Execution,
      Execution,
      Execution,
      Execution,
    ];
    expect(time(clean.startTime)).toBeGreaterThanOrEqual(time(extract.endTime));
    expect(time(clean.startTime)).toBeLessThan(time(enrich.endTime));
    expect(time(enrich.startTime)).toBeLessThan(time(clean.endTime));
    expect(time(load.startTime)).toBeGreaterThanOrEqual(Math.max(time(clean.endTime), time(enrich.endTime)));
  });

  const get = (id: number) => s.request<Execution>('GET', `/tasks/executions/${id}`).then((x) => x.body);
  const ended = (id: number) =>
    until(
      () => get(id),
      (e) => TERMINAL.includes(e.status),
      `execution ${id} to end`,
    );

  it('stops the running child Job when the parent is stopped and ends the parent STOPPED', async () => {
    await s.request('POST', '/tasks/definitions', {
      name: 'slow',
      definition: 'extract --sleep=60000 && load',
    });
    const r = await s.request<Execution>('POST', '/tasks/executions', { name: 'slow' });
    await until(
      () => children(r.body.id),
      (k) => k[0]?.status === 'RUNNING',
      'the first child to run',
    );
    expect((await s.request('POST', `/tasks/executions/${r.body.id}/stop`)).status).toBe(200);
    expect(await ended(r.body.id)).toMatchObject({ status: 'STOPPED', exitCode: 1 });
    expect((await children(r.body.id)).map((k) => [k.taskName, k.status])).toEqual([
      ['slow-extract', 'STOPPED'],
    ]);
  });

  it("follows a 'FAILED' -> x '*' -> y transition by each child's real outcome", async () => {
    expect(
      (
        await s.request('POST', '/tasks/definitions', {
          name: 'branchy',
          definition: "extract 'FAILED' -> clean '*' -> load",
        })
      ).status,
    ).toBe(201);
    const failing = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'branchy',
      properties: { 'app.extract.exit': '1' },
    });
    const passing = await s.request<Execution>('POST', '/tasks/executions', { name: 'branchy' });
    expect(await ended(failing.body.id)).toMatchObject({ status: 'COMPLETE' });
    expect(await ended(passing.body.id)).toMatchObject({ status: 'COMPLETE' });
    expect((await children(failing.body.id)).map((k) => [k.taskName, k.status, k.exitCode])).toEqual([
      ['branchy-extract', 'FAILED', 1],
      ['branchy-clean', 'COMPLETE', 0],
    ]);
    expect((await children(passing.body.id)).map((k) => [k.taskName, k.status])).toEqual([
      ['branchy-extract', 'COMPLETE'],
      ['branchy-load', 'COMPLETE'],
    ]);
  });

  it('restarts a failed composed task at the failed child once its definition is fixed', async () => {
    await s.request('POST', '/tasks/definitions', {
      name: 'fix',
      definition: 'extract && clean --exit=3 && load',
    });
    const r = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'fix',
      arguments: ['--print=x'],
    });
    expect(await ended(r.body.id)).toMatchObject({ status: 'FAILED' });
    expect((await children(r.body.id)).map((k) => [k.taskName, k.status])).toEqual([
      ['fix-extract', 'COMPLETE'],
      ['fix-clean', 'FAILED'],
    ]);
    expect(
      (await s.request('PUT', '/tasks/definitions/fix', { definition: 'extract && clean && load' })).status,
    ).toBe(200);
    const again = await s.request<Execution>('POST', `/tasks/executions/${r.body.id}/restart`);
    expect(again.status).toBe(201);
    expect(await ended(again.body.id)).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    expect((await children(again.body.id)).map((k) => [k.taskName, k.status])).toEqual([
      ['fix-clean', 'COMPLETE'],
      ['fix-load', 'COMPLETE'],
    ]);
  });
});
