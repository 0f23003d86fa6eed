import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

interface App {
  type: string;
  name: string;
  version: string;
  uri: string;
  defaultVersion: boolean;
}
interface Page<T> {
  items: T[];
  page: { size: number; next: string | null; total?: number };
}

describe('app registry API', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  it('registers a version, makes the first one default, and shows it', async () => {
    const r = await s.request<App>('POST', '/apps/task/etl/1.0', { uri: 'docker:acme/etl:1.0' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: 'task', name: 'etl', version: '1.0', defaultVersion: true });
    const second = await s.request<App>('POST', '/apps/task/etl/2.0', { uri: 'docker:acme/etl:2.0' });
    expect(second.body.defaultVersion).toBe(false);
    const shown = await s.request<App & { versions: string[] }>('GET', '/apps/task/etl');
    expect(shown.body).toMatchObject({ version: '1.0', versions: ['1.0', '2.0'] });
    expect((await s.request<App>('GET', '/apps/task/etl/2.0')).body.uri).toBe('docker:acme/etl:2.0');
  });

  it('makes another version the default', async () => {
    const r = await s.request<App>('PUT', '/apps/task/etl/2.0');
    expect(r.status).toBe(200);
    expect((await s.request<App>('GET', '/apps/task/etl')).body.version).toBe('2.0');
    expect((await s.request<App>('GET', '/apps/task/etl/1.0')).body.defaultVersion).toBe(false);
  });

  it('refuses a duplicate version unless forced', async () => {
    const dup = await s.request<ErrorBody>('POST', '/apps/task/etl/1.0', { uri: 'docker:acme/etl:1.0b' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toBe('ALREADY_EXISTS');
    const forced = await s.request<App>('POST', '/apps/task/etl/1.0', {
      uri: 'docker:acme/etl:1.0b',
      force: true,
    });
    expect(forced.status).toBe(201);
    expect(forced.body.uri).toBe('docker:acme/etl:1.0b');
  });

  it.each([
    ['missing uri', '/apps/task/x/1.0', {}, 'body.uri'],
    ['uri of wrong type', '/apps/task/x/1.0', { uri: 42 }, 'body.uri'],
    ['not a URI', '/apps/task/x/1.0', { uri: 'just words' }, 'body.uri'],
    ['unknown field', '/apps/task/x/1.0', { uri: 'docker:a:1', colour: 'red' }, 'body'],
    ['uppercase name', '/apps/task/Bad/1.0', { uri: 'docker:a:1' }, 'params.name'],
    ['name too long', `/apps/task/${'a'.repeat(64)}/1.0`, { uri: 'docker:a:1' }, 'params.name'],
    ['unknown type', '/apps/source/x/1.0', { uri: 'docker:a:1' }, 'params.type'],
    ['oversized uri', '/apps/task/x/1.0', { uri: `docker:${'a'.repeat(3000)}` }, 'body.uri'],
  ])('rejects %s with a 400 naming the field', async (_what, path, body, field) => {
    const r = await s.request<ErrorBody>('POST', path, body);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('VALIDATION_FAILED');
    expect(r.body.details.map((d) => d.path)).toContain(field);
  });

  it('rejects malformed JSON with a 400, not a 500', async () => {
    const res = await fetch(`${s.url}/apps/task/x/1.0`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"uri": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).details[0]?.path).toBe('body');
  });

  it('lists with keyset paging and filters', async () => {
    for (const n of ['alpha', 'beta', 'gamma', 'delta']) {
      await s.request('POST', `/apps/task/${n}/1.0`, { uri: `docker:acme/${n}:1.0` });
    }
    await s.request('POST', '/apps/app/web/1.0', { uri: 'docker:acme/web:1.0' });
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/apps?type=task&size=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { body: Page<App> } = await s.request<Page<App>>('GET', q);
      names.push(...page.body.items.map((a) => `${a.name}:${a.version}`));
      cursor = page.body.page.next;
    } while (cursor);
    expect(names).toEqual(['alpha:1.0', 'beta:1.0', 'delta:1.0', 'etl:1.0', 'etl:2.0', 'gamma:1.0']);
    const filtered = await s.request<Page<App>>('GET', '/apps?search=ta&total=true');
    expect(filtered.body.items.map((a) => a.name)).toEqual(['beta', 'delta']);
    expect(filtered.body.page.total).toBe(2);
    const defaults = await s.request<Page<App>>('GET', '/apps?defaultOnly=true&type=task');
    expect(defaults.body.items.filter((a) => a.name === 'etl').map((a) => a.version)).toEqual(['2.0']);
    const badCursor = await s.request<ErrorBody>('GET', '/apps?cursor=nonsense');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.details[0]?.path).toBe('query.cursor');
    const badSize = await s.request<ErrorBody>('GET', '/apps?size=0');
    expect(badSize.status).toBe(400);
    expect(badSize.body.details[0]?.path).toBe('query.size');
  });

  it('imports SCDF properties, validating every line first', async () => {
    const bad = await s.request<ErrorBody>('POST', '/apps/import', {
      properties: 'task.ok=docker:acme/ok:1.0\nnonsense\ntask.Upper=docker:acme/u:1.0',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path)).toEqual([
      'body.properties[line 2]',
      'body.properties[line 3]',
    ]);
    expect((await s.request('GET', '/apps/task/ok')).status).toBe(404);
    const good = await s.request<{ registered: App[]; skipped: unknown[] }>('POST', '/apps/import', {
      properties:
        '# tasks\ntask.ok=docker:acme/ok:1.2\ntask.ok.metadata=docker:acme/ok-meta:1.2\ntask.beta=docker:acme/beta:1.0\n',
    });
    expect(good.status).toBe(200);
    expect(good.body.registered.map((a) => `${a.name}:${a.version}`)).toEqual(['ok:1.2']);
    expect(good.body.skipped).toHaveLength(1);
  });

  it('unregisters a version (the default moves) and refuses apps in use', async () => {
    expect((await s.request('DELETE', '/apps/task/etl/2.0')).status).toBe(204);
    expect((await s.request<App>('GET', '/apps/task/etl')).body.version).toBe('1.0');
    await s.request('POST', '/tasks/definitions', { name: 'uses-etl', definition: 'etl --a=1' });
    const refused = await s.request<ErrorBody>('DELETE', '/apps/task/etl');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('uses-etl');
    expect((await s.request('DELETE', '/apps/task/nope/1.0')).status).toBe(404);
    const all = await s.request<{ deleted: number }>('DELETE', '/apps?type=app');
    expect(all.body.deleted).toBe(1);
  });
});
