import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childrenOf, finished, launch, localPlatformEnv, registerScripted } from './composed-support.js';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

// SCDF composed-task parity through the REST API on the local platform: secondary sequences,
// ignoreExitMessage, maxWaitTime (the child is stopped and the task fails), split concurrency per
// launch, and bad options as 400s.

describe('composed task options and secondary sequences', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ ...(await localPlatformEnv()), BATCHYARD_RESYNC_SECONDS: '1' });
    await registerScripted(s, ['a', 'b', 'c', 'd']);
    const define = async (name: string, definition: string) => {
      const r = await s.request('POST', '/tasks/definitions', { name, definition });
      if (r.status !== 201) throw new Error(`${name}: ${JSON.stringify(r.body)}`);
    };
    await define('jump', 'a --exit=3 3 -> :side && b\nside: c && d');
    await define('slowpoke', 'a --sleep=60000 && b');
    await define('fan', '<a --sleep=300 || b --sleep=300 || c --sleep=300> && d');
  });
  afterAll(() => s.close());

  it('a transition to a secondary sequence runs it to the end, and the main flow stops there', async () => {
    const parent = await launch(s, { name: 'jump' });
    expect(await finished(s, parent.id)).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    const ran = (await childrenOf(s, parent.id)).map((c) => c.taskName).sort();
    expect(ran).toEqual(['jump-a', 'jump-d', 'jump-side']);
  });

  it('maxWaitTime: a child over it is stopped and the composed task fails saying why', async () => {
    const parent = await launch(s, { name: 'slowpoke', properties: { 'composed.a.maxWaitTime': '500' } });
    const done = await finished(s, parent.id);
    expect(done).toMatchObject({
      status: 'FAILED',
      exitMessage: "Child 'a' did not finish within maxWaitTime (500 ms)",
    });
    const [child] = await childrenOf(s, parent.id);
    expect((await finished(s, child!.id)).status).toBe('STOPPED');
  });

  it('splitThreadCorePoolSize: at most that many branches of this launch run at once', async () => {
    const parent = await launch(s, { name: 'fan', properties: { 'composed.splitThreadCorePoolSize': '1' } });
    expect((await finished(s, parent.id)).status).toBe('COMPLETE');
    const children = (await childrenOf(s, parent.id)).filter((c) => c.taskName !== 'fan-d');
    const spans = children.map((c) => [Date.parse(c.startTime!), Date.parse(c.endTime!)] as const);
    spans.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  it('bad composed options are a 400 naming the property, before anything runs', async () => {
    const r = await s.request<ErrorBody>('POST', '/tasks/executions', {
      name: 'fan',
      properties: { 'composed.maxWaitTime': 'soon', 'composed.zz.maxWaitTime': '1' },
    });
    expect(r.status).toBe(400);
    expect(r.body.details.map((d) => d.path)).toEqual([
      'body.properties.composed.maxWaitTime',
      'body.properties.composed.zz.maxWaitTime',
    ]);
  });
});
