import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

// The Kubernetes side (a Job's and its pods' events, a FailedCreate refusal) is shown by
// test/e2e/launch/pod-security.e2e.test.ts; here the API's edges on the local platform.
describe('GET /tasks/executions/{id}/events', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('404 for an execution that does not exist, 400 naming params.id for a bad id', async () => {
    const missing = await s.request<ErrorBody>('GET', '/tasks/executions/999999/events');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('NOT_FOUND');
    const bad = await s.request<ErrorBody>('GET', '/tasks/executions/nope/events');
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path)).toEqual(['params.id']);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await s.request<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toContain('/tasks/executions/{id}/events');
  });
});
