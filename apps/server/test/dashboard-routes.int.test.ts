import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DashboardEvent } from '@batchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT } from './composed-support.js';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

/** Reads SSE `data:` messages from a fetch body until `done` says enough. */
async function readEvents(
  res: Response,
  done: (seen: DashboardEvent[]) => boolean,
): Promise<DashboardEvent[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: DashboardEvent[] = [];
  let buffer = '';
  while (!done(seen)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    buffer += decoder.decode(value, { stream: true });
    for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
      const message = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const data = message.split('\n').find((l) => l.startsWith('data: '));
      if (data) seen.push(JSON.parse(data.slice(6)) as DashboardEvent);
    }
  }
  await reader.cancel();
  return seen;
}

describe('dashboard routes: the built SPA and the /events channel', () => {
  let s: TestServer;
  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-events-'));
    s = await startTestServer({
      BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]),
      BATCHYARD_REGISTER_SAMPLES: 'false',
    });
    await s.request('POST', '/apps/task/scripted/1.0', { uri: 'local:scripted', command: ['node', SCRIPT] });
    await s.request('POST', '/tasks/definitions', { name: 'short', definition: 'scripted --sleep=300' });
  });
  afterAll(() => s.close());

  it('answers / and every /ui URL with the SPA, and assets by name; a path outside assets is a 404', async () => {
    for (const path of ['/', '/ui', '/ui/executions/12?status=FAILED']) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('<div id="app">');
    }
    const html = await (await fetch(`${s.url}/`)).text();
    const script = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${s.url}${script}`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const outside = await s.request<ErrorBody>('GET', '/assets/..%2f..%2fpackage.json');
    expect(outside.status).toBe(404);
  });

  it('refuses an unknown topic with a 400 naming query.topics', async () => {
    const r = await s.request<ErrorBody>('GET', '/events?topics=executions,nope');
    expect(r.status).toBe(400);
    expect(r.body.details.map((d) => d.path)).toContain('query.topics');
  });

  it('streams an execution from its launch to its terminal status', async () => {
    const res = await fetch(`${s.url}/events?topics=executions`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    // The terminal status arrives from the control plane's listener as it commits.
    const launched = await s.request<{ id: number }>('POST', '/tasks/executions', { name: 'short' });
    const events = await readEvents(res, (seen) =>
      seen.some((e) => e.topic === 'executions' && e.id === launched.body.id && e.status === 'COMPLETE'),
    );
    const mine = events.filter((e) => e.id === launched.body.id).map((e) => e.status);
    expect(mine.at(-1)).toBe('COMPLETE');
    expect(events.every((e) => e.topic === 'executions')).toBe(true);
  });
});
