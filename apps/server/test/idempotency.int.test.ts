import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));

interface Execution {
  id: number;
  status: string;
}

/** Idempotency-Key: a retried or concurrent launch with the same key makes one execution. */
describe('idempotent launches', () => {
  let s: TestServer;
  const launch = (key: string | undefined, body: unknown = { name: 'idem', arguments: ['--sleep=0'] }) =>
    s.request<Execution & ErrorBody>(
      'POST',
      '/tasks/executions',
      body,
      key === undefined ? {} : { 'idempotency-key': key },
    );
  const count = async () =>
    Number(
      (
        await s.prisma.$queryRaw<
          { n: bigint }[]
        >`SELECT count(*) AS n FROM batchyard_task_execution WHERE task_name = 'idem'`
      )[0]!.n,
    );

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-idem-'));
    s = await startTestServer({
      BATCHYARD_PLATFORMS: JSON.stringify([
        { name: 'local', type: 'local', workDir: work, maxConcurrent: 50 },
      ]),
      BATCHYARD_REGISTER_SAMPLES: 'false',
    });
    await s.request('POST', '/apps/task/scripted/1.0', { uri: 'local:scripted', command: ['node', SCRIPT] });
    await s.request('POST', '/tasks/definitions', { name: 'idem', definition: 'scripted --print=hi' });
  });
  afterAll(() => s.close());

  it('returns the first execution for the same key, and launches anew without one', async () => {
    const key = randomUUID();
    const first = await launch(key);
    expect(first.status).toBe(201);
    const again = await launch(key);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await count()).toBe(1);
    const other = await launch(undefined);
    expect(other.body.id).not.toBe(first.body.id);
    expect(await count()).toBe(2);
  });

  it('makes one execution for concurrent requests with the same key', async () => {
    const key = randomUUID();
    const before = await count();
    const results = await Promise.all(Array.from({ length: 12 }, () => launch(key)));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await count()).toBe(before + 1);
  });

  it('refuses the key with a different request (422), and a malformed key (400)', async () => {
    const key = randomUUID();
    await launch(key);
    const reused = await launch(key, { name: 'idem', arguments: ['--sleep=1'] });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({
      error: 'IDEMPOTENCY_KEY_REUSED',
      details: [{ path: 'headers.idempotency-key' }],
    });
    const bad = await launch('has spaces in it');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]!.path).toBe('headers.idempotency-key');
  });

  it('relaunches once per key', async () => {
    const original = (await launch(undefined)).body.id;
    const key = randomUUID();
    const r1 = await s.request<Execution>('POST', `/tasks/executions/${original}/relaunch`, undefined, {
      'idempotency-key': key,
    });
    const r2 = await s.request<Execution>('POST', `/tasks/executions/${original}/relaunch`, undefined, {
      'idempotency-key': key,
    });
    expect(r1.status).toBe(201);
    expect(r2.body.id).toBe(r1.body.id);
    // The same key on another route is another request: 422, not a silent replay.
    const crossed = await launch(key);
    expect(crossed.status).toBe(422);
  });
});
