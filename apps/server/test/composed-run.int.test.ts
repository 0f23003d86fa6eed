import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childrenOf,
  type Execution,
  finished,
  getExecution,
  launch,
  localPlatformEnv,
  registerScripted,
  SCRIPT,
  until,
} from './composed-support.js';
import { counterValue, type ErrorBody, startTestServer, type TestServer } from './harness.js';

const time = (iso: string | null) => new Date(iso ?? NaN).getTime();
const byTask = (children: Execution[]) => new Map(children.map((c) => [c.taskName, c]));

describe('composed tasks on the local platform', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(await localPlatformEnv());
    await registerScripted(s, ['extract', 'clean', 'enrich', 'load', 'a', 'b', 'c']);
    const define = async (name: string, definition: string) => {
      const r = await s.request('POST', '/tasks/definitions', { name, definition });
      if (r.status !== 201) throw new Error(`${name}: ${JSON.stringify(r.body)}`);
    };
    await define('etl', 'extract --sleep=200 && <clean --sleep=1500 || enrich --sleep=1500> && load');
    await define('branch', "a 'FAILED' -> b '*' -> c");
    await define('slow', 'a --sleep=60000 && b');
  });
  afterAll(() => s.close());

  it('runs extract && <clean || enrich> && load in order, the split branches overlapping', async () => {
    const launches = (source: string) => counterValue(s, 'batchyard_task_launches_total', { source });
    const [apiBefore, composedBefore] = [await launches('api'), await launches('composed')];
    const parent = await launch(s, {
      name: 'etl',
      arguments: ['--print=from-parent'],
      properties: { 'app.clean.print': 'only-clean', 'deployer.*.environmentVariables': 'X=1' },
    });
    expect(parent).toMatchObject({ status: 'RUNNING', platformType: 'composed' });
    const done = await finished(s, parent.id);
    expect(done).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    expect(time(done.endTime)).toBeGreaterThan(0);
    const children = await childrenOf(s, parent.id);
    expect(children.map((c) => c.taskName).sort()).toEqual([
      'etl-clean',
      'etl-enrich',
      'etl-extract',
      'etl-load',
    ]);
    const all = [parent, ...children];
    expect(all).toHaveLength(5);
    // The parent is the API's launch; its four children are the graph's.
    expect(await launches('api')).toBe(apiBefore + 1);
    expect(await launches('composed')).toBe(composedBefore + 4);
    const c = byTask(children);
    for (const child of children) {
      expect(child).toMatchObject({ status: 'COMPLETE', parentExecutionId: parent.id });
      expect(child.arguments).toContain('--print=from-parent');
    }
    expect(c.get('etl-clean')!.properties).toMatchObject({ 'app.clean.print': 'only-clean' });
    expect(c.get('etl-enrich')!.properties['app.enrich.print']).toBeUndefined();
    const [extract, clean, enrich, load] = ['extract', 'clean', 'enrich', 'load'].map(
      (n) => c.get(`etl-${n}`)!,
    );
    expect(time(clean!.startTime)).toBeGreaterThanOrEqual(time(extract!.endTime));
    expect(time(enrich!.startTime)).toBeGreaterThanOrEqual(time(extract!.endTime));
    // The branches ran at the same time.
    expect(time(clean!.startTime)).toBeLessThan(time(enrich!.endTime));
    expect(time(enrich!.startTime)).toBeLessThan(time(clean!.endTime));
    expect(time(load!.startTime)).toBeGreaterThanOrEqual(
      Math.max(time(clean!.endTime), time(enrich!.endTime)),
    );
  });

  it.each([
    ['a fails: the FAILED transition runs b', '1', ['branch-a', 'branch-b'], 'COMPLETE'],
    ['a completes: the * transition runs c', '0', ['branch-a', 'branch-c'], 'COMPLETE'],
  ])('%s', async (_what, exit, expected, status) => {
    const parent = await launch(s, { name: 'branch', properties: { 'app.a.exit': exit } });
    expect(await finished(s, parent.id)).toMatchObject({ status });
    const children = await childrenOf(s, parent.id);
    expect(children.map((c) => c.taskName)).toEqual(expected);
    expect(children[0]!.status).toBe(exit === '0' ? 'COMPLETE' : 'FAILED');
  });

  it('rejects an unknown platform or a malformed property key with the field, before any execution exists', async () => {
    const before = (await s.request<{ items: Execution[] }>('GET', '/tasks/executions?task=etl&size=100'))
      .body.items;
    const platform = await s.request<ErrorBody>('POST', '/tasks/executions', {
      name: 'etl',
      platform: 'nowhere',
    });
    expect(platform.status).toBe(400);
    expect(platform.body.details[0]!.path).toBe('body.platform');
    const key = await s.request<ErrorBody>('POST', '/tasks/executions', {
      name: 'etl',
      properties: { 'composed.restartOf': '1' },
    });
    expect(key.status).toBe(400);
    expect(key.body.details[0]!.path).toBe('body.properties.composed.restartOf');
    const after = (await s.request<{ items: Execution[] }>('GET', '/tasks/executions?task=etl&size=100')).body
      .items;
    expect(after).toHaveLength(before.length);
  });

  it('stops the running child when the parent is stopped, and launches nothing more', async () => {
    const parent = await launch(s, { name: 'slow' });
    await until(
      () => childrenOf(s, parent.id),
      (cs) => cs[0]?.status === 'RUNNING',
      'a to run',
    );
    const stop = await s.request('POST', `/tasks/executions/${parent.id}/stop`);
    expect(stop.status).toBe(200);
    expect(await finished(s, parent.id)).toMatchObject({ status: 'STOPPED', exitCode: 1 });
    const children = await childrenOf(s, parent.id);
    expect(children.map((c) => [c.taskName, c.status])).toEqual([['slow-a', 'STOPPED']]);
  });

  it('restarts a failed composed task at the failed child, with the original arguments', async () => {
    // b 1.0 fails; once 2.0 (which succeeds) is the default, the restart gets past it.
    await s.request('POST', '/apps/task/bb/1.0', { uri: 'local:bb', command: ['node', SCRIPT, '--exit=3'] });
    await s.request('POST', '/apps/task/bb/2.0', { uri: 'local:bb2', command: ['node', SCRIPT] });
    await s.request('POST', '/tasks/definitions', { name: 'resume', definition: 'a && bb && c' });
    const first = await launch(s, { name: 'resume', arguments: ['--print=original'] });
    expect(await finished(s, first.id)).toMatchObject({ status: 'FAILED', exitCode: 1 });
    expect((await childrenOf(s, first.id)).map((c) => [c.taskName, c.status])).toEqual([
      ['resume-a', 'COMPLETE'],
      ['resume-bb', 'FAILED'],
    ]);
    expect((await s.request('PUT', '/apps/task/bb/2.0')).status).toBeLessThan(300);
    const again = await s.request<Execution>('POST', `/tasks/executions/${first.id}/restart`);
    expect(again.status).toBe(201);
    expect(again.body.properties).toMatchObject({ 'composed.restartOf': String(first.id) });
    expect(await finished(s, again.body.id)).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    const children = await childrenOf(s, again.body.id);
    expect(children.map((c) => [c.taskName, c.status])).toEqual([
      ['resume-bb', 'COMPLETE'],
      ['resume-c', 'COMPLETE'],
    ]);
    for (const child of children) expect(child.arguments).toEqual(['--print=original']);
    expect((await getExecution(s, first.id)).status).toBe('FAILED');
    const notFailed = await s.request('POST', `/tasks/executions/${again.body.id}/restart`);
    expect(notFailed.status).toBe(409);
  });
});
