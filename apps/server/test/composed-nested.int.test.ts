import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childrenOf, finished, launch, localPlatformEnv, registerScripted } from './composed-support.js';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

// A composed definition that names another composed definition (SCDF cannot): created with its
// nested children, run through the API as a child composed task, refused when it would contain itself.

describe('nested composed tasks', () => {
  let s: TestServer;
  const define = (name: string, definition: string) =>
    s.request<ErrorBody>('POST', '/tasks/definitions', { name, definition });
  const names = async () =>
    (await s.request<{ items: { name: string }[] }>('GET', '/tasks/definitions?size=200')).body.items.map(
      (d) => d.name,
    );

  beforeAll(async () => {
    s = await startTestServer(await localPlatformEnv());
    await registerScripted(s, ['a', 'b', 'c', 'd']);
    for (const [name, dsl] of [
      ['inner', 'b --print=in-b && c'],
      ['outer', 'a && inner && d'],
      ['broken', 'b --exit=4 && c'],
      ['outer2', 'broken && d'],
    ]) {
      const r = await define(name!, dsl!);
      if (r.status !== 201) throw new Error(`${name}: ${JSON.stringify(r.body)}`);
    }
  });
  afterAll(() => s.close());

  it('creates the nested graph as children of the child', async () => {
    expect(await names()).toEqual(
      expect.arrayContaining(['outer-a', 'outer-inner', 'outer-inner-b', 'outer-inner-c', 'outer-d']),
    );
    const child = await s.request<{ composed: boolean; definition: string }>(
      'GET',
      '/tasks/definitions/outer-inner',
    );
    expect(child.body).toMatchObject({
      composed: true,
      definition: 'b --print=in-b && c',
      parentName: 'outer',
    });
  });

  it('runs the nested composed task as one child: its children run inside it, then the outer graph goes on', async () => {
    const parent = await launch(s, { name: 'outer', properties: { 'app.inner.b.print': 'routed' } });
    expect(await finished(s, parent.id)).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    const children = await childrenOf(s, parent.id);
    expect(children.map((c) => c.taskName)).toEqual(['outer-a', 'outer-inner', 'outer-d']);
    const nested = children[1]!;
    expect(nested).toMatchObject({ platformType: 'composed', status: 'COMPLETE' });
    const grandchildren = await childrenOf(s, nested.id);
    expect(grandchildren.map((c) => c.taskName)).toEqual(['outer-inner-b', 'outer-inner-c']);
    expect(grandchildren[0]!.properties).toEqual({ 'app.b.print': 'routed' });
    expect(Date.parse(children[2]!.startTime!)).toBeGreaterThanOrEqual(
      Date.parse(grandchildren[1]!.endTime!),
    );
  });

  it('a failing nested task fails the outer one', async () => {
    const parent = await launch(s, { name: 'outer2' });
    const done = await finished(s, parent.id);
    expect(done.status).toBe('FAILED');
    expect(done.exitMessage).toContain("'broken'");
    expect((await childrenOf(s, parent.id)).map((c) => c.taskName)).toEqual(['outer2-broken']);
  });

  it('a definition that would contain itself is a 400 with the path of the cycle', async () => {
    const r = await s.request<ErrorBody>('PUT', '/tasks/definitions/inner', { definition: 'b && outer' });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([
      {
        path: 'body.definition',
        message: "composed task 'inner' would contain itself: inner → outer → inner",
      },
    ]);
    const self = await s.request<ErrorBody>('PUT', '/tasks/definitions/broken', {
      definition: 'b && broken',
    });
    expect(self.status).toBe(400);
    expect(self.body.message).toContain('broken → broken');
  });

  it('DSL properties on a nested composed task are refused', async () => {
    const r = await define('outer3', 'a && inner --x=1');
    expect(r.status).toBe(400);
    expect(r.body.details[0]!.message).toContain(
      "'inner' is the composed task 'inner' and takes no properties",
    );
  });

  it('deleting the outer definition deletes the nested children too; the referenced one stays', async () => {
    expect((await s.request('DELETE', '/tasks/definitions/outer')).status).toBe(204);
    const left = await names();
    expect(left.filter((n) => n.startsWith('outer-'))).toEqual([]);
    expect(left).toContain('inner');
  });
});
