import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

describe('system endpoints', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  it('is live and ready once migrated', async () => {
    expect((await s.request('GET', '/health/live')).body).toEqual({ status: 'UP' });
    const ready = await s.request<{ status: string }>('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('UP');
  });

  it('describes itself', async () => {
    const about = await s.request<{ version: string; platforms: { name: string; type: string }[] }>(
      'GET',
      '/about',
    );
    expect(about.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(about.body.platforms).toEqual([{ name: 'default', type: 'local' }]);
  });

  it('serves an OpenAPI document covering the routes, and an explorer', async () => {
    const doc = await s.request<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/openapi.json',
    );
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/apps/{type}/{name}/{version}',
        '/tasks/definitions',
        '/tasks/definitions/{name}',
        '/health/ready',
      ]),
    );
    expect(Object.keys(doc.body.paths['/tasks/definitions'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'post', 'delete']),
    );
    // The dashboard's server-push channel is documented: an event stream of DashboardEvent messages.
    const events = doc.body.paths['/events']?.get as
      | { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
      | undefined;
    expect(JSON.stringify(events?.responses['200']?.content?.['text/event-stream']?.schema)).toContain(
      'DashboardEvent',
    );
    const res = await fetch(`${s.url}/docs/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
  });

  it('answers unknown routes with the uniform error body', async () => {
    const r = await s.request<{ error: string }>('GET', '/nope');
    expect(r.status).toBe(404);
    expect(r.body.error).toBe('NOT_FOUND');
  });

  it('echoes a request id', async () => {
    const res = await fetch(`${s.url}/health/live`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });
});
