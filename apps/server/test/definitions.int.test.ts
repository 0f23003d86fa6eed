import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

interface Definition {
  name: string;
  definition: string;
  description: string | null;
  composed: boolean;
  version: number;
}
interface Page<T> {
  items: T[];
  page: { size: number; next: string | null; total?: number };
}

describe('task definitions API', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await s.request('POST', '/apps/task/etl/1.0', { uri: 'docker:acme/etl:1.0' });
    await s.request('POST', '/apps/task/report/1.0', { uri: 'docker:acme/report:1.0' });
  });
  afterAll(() => s.close());

  it('creates, shows and lists a definition', async () => {
    const r = await s.request<Definition>('POST', '/tasks/definitions', {
      name: 'nightly-etl',
      definition: 'etl --chunkSize=500 --mode="full load"',
      description: 'nightly load',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'nightly-etl',
      composed: false,
      version: 1,
      description: 'nightly load',
    });
    const shown = await s.request<Definition>('GET', '/tasks/definitions/nightly-etl');
    expect(shown.body.definition).toBe('etl --chunkSize=500 --mode="full load"');
  });

  it('names the registered apps when the DSL uses an unknown one', async () => {
    const r = await s.request<ErrorBody>('POST', '/tasks/definitions', {
      name: 'x',
      definition: 'nosuch --a=1',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('UNKNOWN_APP');
    expect(r.body.message).toContain('etl, report');
    expect(r.body.details[0]?.path).toBe('body.definition');
  });

  it('reports DSL errors with line and column', async () => {
    const r = await s.request<ErrorBody>('POST', '/tasks/definitions', {
      name: 'x',
      definition: 'etl --a="unterminated',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('DSL_INVALID');
    expect(r.body.details[0]?.message).toMatch(/^line 1, column \d+: /);
  });

  it.each([
    ['missing name', { definition: 'etl' }, 'body.name'],
    ['missing definition', { name: 'ok' }, 'body.definition'],
    ['name of wrong type', { name: 7, definition: 'etl' }, 'body.name'],
    ['uppercase name', { name: 'Nightly', definition: 'etl' }, 'body.name'],
    ['name with underscore', { name: 'nightly_etl', definition: 'etl' }, 'body.name'],
    ['name starting with a digit', { name: '1etl', definition: 'etl' }, 'body.name'],
    ['name too long', { name: `a${'b'.repeat(255)}`, definition: 'etl' }, 'body.name'],
    ['empty definition', { name: 'ok', definition: '' }, 'body.definition'],
    [
      'oversized description',
      { name: 'ok', definition: 'etl', description: 'x'.repeat(1025) },
      'body.description',
    ],
  ])('rejects %s with a 400 naming the field', async (_what, body, field) => {
    const r = await s.request<ErrorBody>('POST', '/tasks/definitions', body);
    expect(r.status).toBe(400);
    expect(r.body.details.map((d) => d.path)).toContain(field);
  });

  it('accepts long names (the platform shortens resource names)', async () => {
    const name = `long-${'x'.repeat(200)}`;
    expect((await s.request('POST', '/tasks/definitions', { name, definition: 'etl' })).status).toBe(201);
  });

  it('refuses a duplicate name with 409', async () => {
    const r = await s.request<ErrorBody>('POST', '/tasks/definitions', {
      name: 'nightly-etl',
      definition: 'etl',
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('ALREADY_EXISTS');
  });

  it('edits a definition and keeps the previous version in its history', async () => {
    const r = await s.request<Definition>('PUT', '/tasks/definitions/nightly-etl', {
      definition: 'etl --chunkSize=1000',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      version: 2,
      definition: 'etl --chunkSize=1000',
      description: 'nightly load',
    });
    const h = await s.request<{ current: Definition; revisions: { version: number; definition: string }[] }>(
      'GET',
      '/tasks/definitions/nightly-etl/history',
    );
    expect(h.body.current.version).toBe(2);
    expect(h.body.revisions).toMatchObject([
      { version: 1, definition: 'etl --chunkSize=500 --mode="full load"' },
    ]);
    const bad = await s.request<ErrorBody>('PUT', '/tasks/definitions/nightly-etl', { definition: 'nosuch' });
    expect(bad.status).toBe(400);
    expect((await s.request('PUT', '/tasks/definitions/missing', { definition: 'etl' })).status).toBe(404);
  });

  it('pages by name and filters by name, DSL text and description', async () => {
    for (let i = 0; i < 5; i++) {
      await s.request('POST', '/tasks/definitions', {
        name: `report-${i}`,
        definition: `report --n=${i}`,
        description: i % 2 ? 'odd' : 'even',
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/tasks/definitions?size=3&search=report${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { body: Page<Definition> } = await s.request<Page<Definition>>('GET', path);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((d) => d.name));
      cursor = page.body.page.next;
    } while (cursor);
    expect(seen).toEqual(['report-0', 'report-1', 'report-2', 'report-3', 'report-4']);
    const byDsl = await s.request<Page<Definition>>('GET', '/tasks/definitions?dslText=--n%3D3&total=true');
    expect(byDsl.body.items.map((d) => d.name)).toEqual(['report-3']);
    expect(byDsl.body.page.total).toBe(1);
    const byDescription = await s.request<Page<Definition>>('GET', '/tasks/definitions?description=odd');
    expect(byDescription.body.items.map((d) => d.name)).toEqual(['report-1', 'report-3']);
  });

  it('deletes one and all', async () => {
    const bad = await s.request<ErrorBody>('DELETE', '/tasks/definitions/report-0?schedules=keep');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]?.path).toBe('query.schedules');
    expect((await s.request('GET', '/tasks/definitions/report-0')).status).toBe(200);
    expect((await s.request('DELETE', '/tasks/definitions/report-0')).status).toBe(204);
    expect((await s.request('GET', '/tasks/definitions/report-0')).status).toBe(404);
    expect((await s.request('DELETE', '/tasks/definitions/report-0')).status).toBe(404);
    const all = await s.request<{ deleted: number }>('DELETE', '/tasks/definitions');
    expect(all.body.deleted).toBeGreaterThan(3);
  });
});
