import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerScripted } from './composed-support.js';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

interface Definition {
  name: string;
  definition: string;
  composed: boolean;
  parentName: string | null;
}
interface Graph {
  nodes: { id: string; name: string; label?: string; properties?: Record<string, string> }[];
  links: { from: string; to: string; properties?: { transitionName?: string } }[];
}

describe('composed tasks: graph tools and definitions', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({}, {});
    await registerScripted(s, ['extract', 'clean', 'enrich', 'load', 'alert']);
  });
  afterAll(() => s.close());

  it('round-trips text → graph → text', async () => {
    const dsl = "extract && <clean || enrich> && load 'FAILED' -> alert";
    const parsed = await s.request<{ graph: Graph; errors: unknown[] }>(
      'POST',
      '/tools/parseTaskTextToGraph',
      {
        dsl,
        name: 'etl',
      },
    );
    expect(parsed.status).toBe(200);
    expect(parsed.body.errors).toEqual([]);
    const names = parsed.body.graph.nodes.map((n) => n.name);
    expect(names).toEqual(
      expect.arrayContaining(['START', 'END', 'extract', 'clean', 'enrich', 'load', 'alert']),
    );
    expect(parsed.body.graph.links.some((l) => l.properties?.transitionName === 'FAILED')).toBe(true);
    const text = await s.request<{ dsl: string }>('POST', '/tools/convertTaskGraphToText', {
      graph: parsed.body.graph,
    });
    expect(text.status).toBe(200);
    expect(text.body.dsl).toBe(dsl);
  });

  it('reports DSL errors with position, line and column, and no graph', async () => {
    const r = await s.request<{ graph: null; errors: { message: string; line: number; column: number }[] }>(
      'POST',
      '/tools/parseTaskTextToGraph',
      { dsl: 'a &&\n  && b' },
    );
    expect(r.status).toBe(200);
    expect(r.body.graph).toBeNull();
    expect(r.body.errors[0]).toMatchObject({ line: 2, column: 3 });
    const dup = await s.request<{ errors: { message: string }[] }>('POST', '/tools/parseTaskTextToGraph', {
      dsl: 'a && a',
    });
    expect(dup.body.errors.length).toBeGreaterThan(0);
  });

  it('reports a child whose definition name would break the task-name rules, given the name', async () => {
    const r = await s.request<{ graph: null; errors: { message: string; line: number; column: number }[] }>(
      'POST',
      '/tools/parseTaskTextToGraph',
      { dsl: 'a && b', name: `p${'x'.repeat(253)}` },
    );
    expect(r.body.graph).toBeNull();
    expect(r.body.errors.map((e) => [e.line, e.column])).toEqual([
      [1, 1],
      [1, 6],
    ]);
    expect(r.body.errors[0]!.message).toContain("child task 'a'");
  });

  it('rejects a bad graph with the node to blame, and a malformed body with the field', async () => {
    const r = await s.request<ErrorBody>('POST', '/tools/convertTaskGraphToText', {
      graph: {
        nodes: [
          { id: '0', name: 'START' },
          { id: '1', name: 'a' },
          { id: '2', name: 'END' },
        ],
        links: [{ from: '0', to: '9' }],
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.details[0]!.path).toMatch(/^body\.graph/);
    const bad = await s.request<ErrorBody>('POST', '/tools/convertTaskGraphToText', { graph: { nodes: 3 } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path).join()).toContain('body.graph.nodes');
  });

  it('creates the child definitions with the parent, re-creates them on edit and deletes them with it', async () => {
    const r = await s.request<Definition>('POST', '/tasks/definitions', {
      name: 'etl',
      definition: 'extract --rows=5 && <c1: clean || enrich> && load',
    });
    expect(r.status).toBe(201);
    expect(r.body.composed).toBe(true);
    const children = async () =>
      (await s.request<{ items: Definition[] }>('GET', '/tasks/definitions?search=etl-&size=50')).body.items;
    expect((await children()).map((d) => [d.name, d.definition, d.composed, d.parentName])).toEqual([
      ['etl-c1', 'clean', false, 'etl'],
      ['etl-enrich', 'enrich', false, 'etl'],
      ['etl-extract', 'extract --rows=5', false, 'etl'],
      ['etl-load', 'load', false, 'etl'],
    ]);
    const edit = await s.request('PUT', '/tasks/definitions/etl', { definition: 'extract && load' });
    expect(edit.status).toBe(200);
    expect((await children()).map((d) => d.name)).toEqual(['etl-extract', 'etl-load']);
    const childEdit = await s.request<ErrorBody>('PUT', '/tasks/definitions/etl-load', {
      definition: 'load',
    });
    expect(childEdit.status).toBe(409);
    expect((await s.request('DELETE', '/tasks/definitions/etl')).status).toBe(204);
    expect(await children()).toEqual([]);
  });

  it('names unknown apps with line and column, and DSL errors with their position', async () => {
    const r = await s.request<ErrorBody>('POST', '/tasks/definitions', {
      name: 'bad',
      definition: 'extract &&\n  <nope || clean> && ghost',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('UNKNOWN_APP');
    expect(r.body.message).toContain("'nope' (line 2, column 4)");
    expect(r.body.message).toContain("'ghost' (line 2, column 22)");
    const dsl = await s.request<ErrorBody>('POST', '/tasks/definitions', {
      name: 'bad',
      definition: 'a && && b',
    });
    expect(dsl.status).toBe(400);
    expect(dsl.body).toMatchObject({ error: 'DSL_INVALID', details: [{ path: 'body.definition' }] });
    expect(dsl.body.details[0]!.message).toMatch(/^line 1, column \d+/);
    expect((await s.request('GET', '/tasks/definitions/bad')).status).toBe(404);
  });

  it('refuses a child name that breaks the task-name rules or takes an existing definition', async () => {
    const long = `p${'x'.repeat(250)}`;
    const r = await s.request<ErrorBody>('POST', '/tasks/definitions', {
      name: long,
      definition: 'extract && load',
    });
    expect(r.status).toBe(400);
    expect(r.body.details[0]!.message).toContain(`'${long}-extract'`);
    await s.request('POST', '/tasks/definitions', { name: 'x-load', definition: 'load' });
    const clash = await s.request<ErrorBody>('POST', '/tasks/definitions', {
      name: 'x',
      definition: 'extract && load',
    });
    expect(clash.status).toBe(409);
    expect((await s.request('GET', '/tasks/definitions/x')).status).toBe(404);
  });
});
