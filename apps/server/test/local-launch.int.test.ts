import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrismaClient, executions } from '@batchyard/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import { counterValue, type ErrorBody, startTestServer, type TestServer } from './harness.js';

interface Execution {
  id: number;
  status: string;
  exitCode: number | null;
  reason: string | null;
  arguments: string[];
  properties: Record<string, string>;
  externalExecutionId: string | null;
  manifest: { command: string[]; environment: string[] } | null;
  queuePosition: number | null;
  startTime: string | null;
  endTime: string | null;
}

const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));

describe('launching on the local platform', () => {
  let s: TestServer;
  const get = (id: number) => s.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
  const finished = (id: number) =>
    until(
      () => get(id),
      (e) => ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(e.status),
      `execution ${id} to end`,
    );

  /** Terminal executions of `hello` with this status, as /metrics counts them. */
  const finishedCount = (status: string) =>
    counterValue(s, 'batchyard_task_executions_finished_total', { task: 'hello', status });

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-local-'));
    s = await startTestServer({
      BATCHYARD_PLATFORMS: JSON.stringify([
        { name: 'local', type: 'local', workDir: work, maxConcurrent: 2 },
      ]),
    });
    // Not a Spring app: registered without the Spring Cloud Task contract.
    await s.request('POST', '/apps/task/scripted/1.0', {
      uri: 'local:scripted',
      command: ['node', SCRIPT],
      springContract: false,
    });
    await s.request('POST', '/tasks/definitions', {
      name: 'hello',
      definition: 'scripted --print=hello-world',
    });
  });
  afterAll(() => s.close());

  it('runs a task to COMPLETE with exit code 0, passing DSL properties, app properties and arguments', async () => {
    const r = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'hello',
      arguments: ['--extra=1'],
      properties: { 'app.scripted.mode': 'fast', 'deployer.scripted.environmentVariables': 'GREETING=hi' },
    });
    expect(r.status).toBe(201);
    const done = await finished(r.body.id);
    expect(done).toMatchObject({
      status: 'COMPLETE',
      exitCode: 0,
      externalExecutionId: `local-${r.body.id}`,
    });
    expect(done.startTime).not.toBeNull();
    expect(done.endTime).not.toBeNull();
    expect(done.manifest?.command.slice(2)).toEqual(['--print=hello-world', '--mode=fast', '--extra=1']);
    expect(done.manifest?.environment).toContain('BATCHYARD_DATABASE_URL');
    const logs = await fetch(`${s.url}/tasks/executions/${r.body.id}/logs`).then((x) => x.text());
    expect(logs).toContain('hello-world');
    expect(logs).toContain(`execution ${r.body.id} started`);
    expect(logs).toContain('database configured: yes');
    expect(logs).not.toContain('postgresql://');
    const tail = await fetch(`${s.url}/tasks/executions/${r.body.id}/logs?tail=1`).then((x) => x.text());
    expect(tail).toBe('done\n');
  });

  it('records a failing task as FAILED with its exit code', async () => {
    const r = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'hello',
      arguments: ['--exit=3'],
    });
    expect(await finished(r.body.id)).toMatchObject({ status: 'FAILED', exitCode: 3, reason: 'Error' });
  });

  it('stops a running task: SIGTERM, then STOPPED', async () => {
    const r = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'hello',
      arguments: ['--sleep=60000'],
    });
    await until(
      () => get(r.body.id),
      (e) => e.status === 'RUNNING',
      'RUNNING',
    );
    // Stop once the process is up (its SIGTERM handler installed), as a worker mid-chunk would be.
    await until(
      () => fetch(`${s.url}/tasks/executions/${r.body.id}/logs`).then((x) => x.text()),
      (t) => t.includes('started'),
      'output',
    );
    const stopped = await s.request<Execution[]>('POST', `/tasks/executions/${r.body.id}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body[0]?.status).toBe('STOPPING');
    expect(await finished(r.body.id)).toMatchObject({ status: 'STOPPED', exitCode: 143 });
    const logs = await fetch(`${s.url}/tasks/executions/${r.body.id}/logs`).then((x) => x.text());
    expect(logs).toContain('received SIGTERM');
  });

  it('queues launches over the account limit and starts them as capacity frees', async () => {
    const long = await Promise.all(
      [1, 2].map(() =>
        s.request<Execution>('POST', '/tasks/executions', { name: 'hello', arguments: ['--sleep=1500'] }),
      ),
    );
    const queued = await s.request<Execution>('POST', '/tasks/executions', { name: 'hello' });
    expect(queued.body.status).toBe('QUEUED');
    expect(queued.body.queuePosition).toBe(1);
    const current = await s.request<{ runningExecutionCount: number; queuedExecutionCount: number }[]>(
      'GET',
      '/tasks/executions/current',
    );
    expect(current.body[0]).toMatchObject({ runningExecutionCount: 2, queuedExecutionCount: 1 });
    expect(await finished(queued.body.id)).toMatchObject({ status: 'COMPLETE' });
    for (const l of long) expect((await finished(l.body.id)).status).toBe('COMPLETE');
  });

  it('keeps the account limit exact under a burst of concurrent launches: the rest queue in order', async () => {
    const burst = await Promise.all(
      Array.from({ length: 30 }, () =>
        s.request<Execution>('POST', '/tasks/executions', { name: 'hello', arguments: ['--sleep=60000'] }),
      ),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(30).fill(201));
    const started = burst.filter((r) => r.body.status !== 'QUEUED');
    const queued = burst.filter((r) => r.body.status === 'QUEUED').sort((a, b) => a.body.id - b.body.id);
    expect(started).toHaveLength(2); // maxConcurrent: 2
    expect(queued.map((r) => r.body.queuePosition)).toEqual(Array.from({ length: 28 }, (_, i) => i + 1));
    const all = burst.map((r) => r.body.id).join(',');
    await s.request('POST', `/tasks/executions/${all}/stop`);
    for (const r of burst) expect((await finished(r.body.id)).status).toBe('STOPPED');
  });

  /**
   * The window between the dispatcher's claim and the platform resource existing, made wide: a
   * LAUNCHING row is stopped (nothing to signal yet), then the launcher starts it.
   */
  async function stopWhileLaunching(body: { arguments: string[]; properties: Record<string, string> }) {
    const { launcher } = s.app.controlPlane;
    const { platform, spec } = await launcher.prepare({ name: 'hello', ...body });
    const prisma = createPrismaClient({ url: s.db.url, poolSize: 1 });
    try {
      const row = await executions.insertExecution(prisma, {
        taskName: 'hello',
        status: 'LAUNCHING',
        ...body,
        platformName: platform.name,
        platformType: platform.type,
      });
      const stop = await s.request<Execution[]>('POST', `/tasks/executions/${row.id}/stop`);
      expect(stop.body[0]).toMatchObject({ status: 'STOPPING', externalExecutionId: null });
      return { id: row.id, start: () => launcher.start(platform, { ...spec, executionId: row.id }) };
    } finally {
      await prisma.$disconnect();
    }
  }

  it('stops an execution whose stop arrived while its process was being started (LAUNCHING)', async () => {
    const { id, start } = await stopWhileLaunching({ arguments: ['--sleep=60000'], properties: {} });
    await start();
    expect(await finished(id)).toMatchObject({ status: 'STOPPED' });
  });

  it('ends STOPPED, not stuck STOPPING, when a launch stopped while LAUNCHING then fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batchyard-vanishing-'));
    const { id, start } = await stopWhileLaunching({
      arguments: [],
      properties: { 'deployer.scripted.workingDirectory': dir },
    });
    await rm(dir, { recursive: true });
    await start();
    expect(await get(id)).toMatchObject({ status: 'STOPPED', reason: 'StoppedWhileLaunching' });
  });

  it('stops a queued execution at once, and lets go of its held launch request', async () => {
    const long = await Promise.all(
      [1, 2].map(() =>
        s.request<Execution>('POST', '/tasks/executions', { name: 'hello', arguments: ['--sleep=1500'] }),
      ),
    );
    const stoppedBefore = await finishedCount('STOPPED');
    const queued = await s.request<Execution>('POST', '/tasks/executions', { name: 'hello' });
    expect(queued.body.status).toBe('QUEUED');
    expect(s.app.controlPlane.launcher.heldRequests).toBe(1);
    const stopped = await s.request<Execution[]>('POST', `/tasks/executions/${queued.body.id}/stop`);
    expect(stopped.body[0]).toMatchObject({ status: 'STOPPED', reason: 'StoppedWhileQueued' });
    expect(s.app.controlPlane.launcher.heldRequests).toBe(0);
    for (const l of long) expect((await finished(l.body.id)).status).toBe('COMPLETE');
    // Capacity freed twice; the stopped one never started.
    expect((await get(queued.body.id)).externalExecutionId).toBeNull();
    // It ended without a platform event, and still counts as a finished execution.
    await until(
      () => finishedCount('STOPPED'),
      (n) => n === stoppedBefore + 1,
      'the stopped queued execution in the metrics',
    );
  });

  it('refuses a working directory that is not an absolute, existing directory, naming the property', async () => {
    for (const [dir, message] of [
      ['relative/dir', 'must be an absolute path'],
      ['/nonexistent/batchyard-work', 'is not an existing directory'],
    ] as const) {
      const r = await s.request<ErrorBody>('POST', '/tasks/executions', {
        name: 'hello',
        properties: { 'deployer.scripted.workingDirectory': dir },
      });
      expect(r.status).toBe(400);
      expect(r.body.details).toContainEqual({
        path: 'body.properties.deployer.scripted.workingDirectory',
        message: expect.stringContaining(message),
      });
    }
  });

  it('refuses an app with no local command (an image only) with a 400 and creates no execution', async () => {
    await s.request('POST', '/apps/task/imageonly/1.0', { uri: 'docker:acme/imageonly:1.0' });
    await s.request('POST', '/tasks/definitions', { name: 'image-only', definition: 'imageonly' });
    const launches = { result: 'rejected', source: 'api' };
    const rejectedBefore = await counterValue(s, 'batchyard_task_launches_total', launches);
    const r = await s.request<ErrorBody>('POST', '/tasks/executions', { name: 'image-only' });
    expect(r.status).toBe(400);
    expect(await counterValue(s, 'batchyard_task_launches_total', launches)).toBe(rejectedBefore + 1);
    expect(r.body.details).toEqual([
      { path: 'body.name', message: expect.stringContaining('no local command') },
    ]);
    const list = await s.request<{ items: Execution[] }>('GET', '/tasks/executions?task=image-only');
    expect(list.body.items).toEqual([]);
    // A schedule of it is refused the same way, before it could fire.
    const schedule = await s.request<ErrorBody>('POST', '/tasks/schedules', {
      scheduleName: 'image-only-nightly',
      taskDefinitionName: 'image-only',
      cron: '0 3 * * *',
    });
    expect(schedule.status).toBe(400);
    expect(schedule.body.message).toContain('no local command');
  });

  it('fails a queued launch whose working directory vanished before it started (LaunchFailed), and counts it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batchyard-vanishing-'));
    const failedBefore = await finishedCount('FAILED');
    const long = await Promise.all(
      [1, 2].map(() =>
        s.request<Execution>('POST', '/tasks/executions', { name: 'hello', arguments: ['--sleep=1500'] }),
      ),
    );
    const queued = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'hello',
      properties: { 'deployer.scripted.workingDirectory': dir },
    });
    expect(queued.body.status).toBe('QUEUED');
    await rm(dir, { recursive: true });
    const done = await finished(queued.body.id);
    expect(done).toMatchObject({ status: 'FAILED', reason: 'LaunchFailed' });
    expect(
      (await s.request<{ errorMessage: string }>('GET', `/tasks/executions/${done.id}`)).body.errorMessage,
    ).toContain(dir);
    for (const l of long) expect((await finished(l.body.id)).status).toBe('COMPLETE');
    await until(
      () => finishedCount('FAILED'),
      (n) => n === failedBefore + 1,
      'the failed launch in the metrics',
    );
  });

  it('relaunches with the same arguments and properties', async () => {
    const first = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'hello',
      arguments: ['--print=again'],
      properties: { 'app.scripted.x': '1' },
    });
    await finished(first.body.id);
    const again = await s.request<Execution>('POST', `/tasks/executions/${first.body.id}/relaunch`);
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.body.id);
    const done = await finished(again.body.id);
    expect(done.arguments).toEqual(['--print=again']);
    expect(done.properties).toEqual({ 'app.scripted.x': '1' });
  });

  it('cleans up idempotently and removes data', async () => {
    const r = await s.request<Execution>('POST', '/tasks/executions', { name: 'hello' });
    await finished(r.body.id);
    expect((await s.request('DELETE', `/tasks/executions/${r.body.id}?action=CLEANUP`)).status).toBe(200);
    expect((await s.request('DELETE', `/tasks/executions/${r.body.id}?action=CLEANUP`)).status).toBe(200);
    const logs = await fetch(`${s.url}/tasks/executions/${r.body.id}/logs`).then((x) => x.text());
    expect(logs).toContain('done'); // kept in the database after the platform's files are gone
    const removed = await s.request<{ removed: number }>(
      'DELETE',
      `/tasks/executions/${r.body.id}?action=CLEANUP,REMOVE_DATA`,
    );
    expect(removed.body.removed).toBe(1);
    expect((await s.request('GET', `/tasks/executions/${r.body.id}`)).status).toBe(404);
  });

  it.each([
    ['unknown task', { name: 'nope' }, 404, undefined],
    ['bad property key', { name: 'hello', properties: { 'spring.x': '1' } }, 400, 'body.properties.spring.x'],
    [
      'unknown deployer property',
      { name: 'hello', properties: { 'deployer.scripted.colour': 'red' } },
      400,
      'body.properties.deployer.scripted.colour',
    ],
    ['unknown platform', { name: 'hello', platform: 'mars' }, 400, 'body.platform'],
    [
      'unregistered version',
      { name: 'hello', properties: { 'version.scripted': '9.9' } },
      400,
      'body.properties.version.scripted',
    ],
    ['arguments of wrong type', { name: 'hello', arguments: 'x' }, 400, 'body.arguments'],
  ])('rejects %s', async (_what, body, status, path) => {
    const r = await s.request<ErrorBody>('POST', '/tasks/executions', body);
    expect(r.status).toBe(status);
    if (path) expect(r.body.details.map((d) => d.path)).toContain(path);
  });

  it('lists newest first with keyset paging and filters', async () => {
    const all = await s.request<{ items: Execution[]; page: { next: string | null } }>(
      'GET',
      '/tasks/executions?size=2&task=hello',
    );
    expect(all.body.items).toHaveLength(2);
    expect(all.body.items[0]!.id).toBeGreaterThan(all.body.items[1]!.id);
    const next = await s.request<{ items: Execution[] }>(
      'GET',
      `/tasks/executions?size=2&task=hello&cursor=${all.body.page.next}`,
    );
    expect(next.body.items[0]!.id).toBeLessThan(all.body.items[1]!.id);
    const failed = await s.request<{ items: Execution[] }>('GET', '/tasks/executions?status=FAILED');
    expect(failed.body.items.every((e) => e.status === 'FAILED')).toBe(true);
    const total = await s.request<{ totalExecutions: number }>('GET', '/tasks/info/executions?name=hello');
    expect(total.body.totalExecutions).toBeGreaterThan(5);
    const ext = await s.request<Execution>(
      'GET',
      `/tasks/executions/external/local-${all.body.items[0]!.id}`,
    );
    expect(ext.body.id).toBe(all.body.items[0]!.id);
  });
});
