import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/setup/database.js';
import { until } from '../../../test/setup/until.js';
import { counterValue, startTestServer, type TestServer } from './harness.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));

interface About {
  replica: { id: string; leader: boolean; leaseBackend: string };
}
interface Execution {
  id: number;
  status: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Two replicas on one database (PostgreSQL lease): one leads; the leader is SIGKILLed in the middle
 * of a burst of 50 launches (most wait in the queue); the follower takes over within the lease
 * duration and every execution runs exactly once and ends.
 */
describe('replicas with one leader (PostgreSQL lease)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('fails over to the follower, which dispatches the rest of the queue exactly once', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const work = await mkdtemp(join(tmpdir(), 'batchyard-leader-'));
    const env = {
      DATABASE_URL: db.url,
      BATCHYARD_PLATFORMS: JSON.stringify([
        { name: 'local', type: 'local', workDir: work, maxConcurrent: 2 },
      ]),
      BATCHYARD_REGISTER_SAMPLES: 'false',
      BATCHYARD_LEADER_LEASE_SECONDS: '3',
      BATCHYARD_LEADER_RENEW_DEADLINE_SECONDS: '2',
      BATCHYARD_LEADER_RETRY_SECONDS: '0.5',
      BATCHYARD_RESYNC_SECONDS: '1',
    };
    // Replica A: a real server process, so it can die the way a crashed pod does.
    const port = await freePort();
    const a: ChildProcess = spawn(process.execPath, [MAIN, 'server'], {
      env: {
        ...process.env,
        ...env,
        BATCHYARD_PORT: String(port),
        BATCHYARD_REPLICA_ID: 'replica-a',
        BATCHYARD_LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    cleanups.push(async () => a.kill('SIGKILL'));
    const aUrl = `http://127.0.0.1:${port}`;
    const aboutA = () =>
      fetch(`${aUrl}/about`)
        .then((r) => r.json() as Promise<About>)
        .catch(() => undefined);
    await until(aboutA, (x) => x?.replica.leader === true, 'replica A to lead', 60_000, 200);

    // Replica B: in this process; it follows while A leads.
    const b: TestServer = await startTestServer(
      { ...env, BATCHYARD_REPLICA_ID: 'replica-b' },
      { db, keepDatabase: true },
    );
    cleanups.push(() => b.close());
    expect((await b.request<About>('GET', '/about')).body.replica).toEqual({
      id: 'replica-b',
      leader: false,
      leaseBackend: 'postgres',
    });

    await b.request('POST', '/apps/task/scripted/1.0', { uri: 'local:scripted', command: ['node', SCRIPT] });
    await b.request('POST', '/tasks/definitions', { name: 'burst', definition: 'scripted --sleep=300' });
    // A burst of 50 launches on B (2 may run at once: the rest queue). A is SIGKILLed mid-burst:
    // once it has dispatched from the queue (a third execution started: B, following, dispatches
    // nothing), with half of the burst sent and the other half sent while no replica leads.
    const send = (i: number) =>
      b.request<Execution>('POST', '/tasks/executions', { name: 'burst', arguments: [`--n=${i}`] });
    const launches = Array.from({ length: 25 }, (_, i) => send(i));
    await until(
      () => b.prisma.taskExecution.count({ where: { status: { in: ['RUNNING', 'COMPLETE'] } } }),
      (n) => n >= 3,
      'A to dispatch from the queue',
      60_000,
      50,
    );
    a.kill('SIGKILL');
    launches.push(...Array.from({ length: 25 }, (_, i) => send(25 + i)));
    const launched = await Promise.all(launches);
    expect(launched.every((r) => r.status === 201)).toBe(true);
    const ids = launched.map((r) => r.body.id);
    expect(new Set(ids).size).toBe(50);
    expect(launched.filter((r) => r.body.status === 'QUEUED').length).toBeGreaterThanOrEqual(40);

    await until(
      () => b.request<About>('GET', '/about').then((r) => r.body.replica.leader),
      (leading) => leading,
      'replica B to take over',
      60_000,
      200,
    );

    const finals = await until(
      () =>
        Promise.all(
          ids.map((id) => b.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body.status)),
        ),
      (statuses) => statuses.every((s) => ['COMPLETE', 'FAILED', 'LOST', 'STOPPED'].includes(s)),
      'every execution to end',
      240_000,
      250,
    );
    // A's own running processes outlive it (they are children of a dead process): they still
    // finish and are reconciled by B; nothing is launched twice.
    expect(finals.filter((s) => s === 'COMPLETE').length).toBe(50);
    const logs = await Promise.all(ids.map((id) => b.request<string>('GET', `/tasks/executions/${id}/logs`)));
    for (const log of logs) expect(String(log.body).match(/ started/g)).toHaveLength(1);
    const lease = await b.prisma.$queryRaw<{ holder: string; transitions: number }[]>`
      SELECT holder, transitions FROM leader_lease`;
    expect(lease).toEqual([{ holder: 'replica-b', transitions: 1 }]);
    // Two terms, two fence epochs: A's (1) and B's (2); A's writes after B began would be refused.
    const fence = await b.prisma.$queryRaw<{ holder: string; epoch: bigint }[]>`
      SELECT holder, epoch FROM leader_fence`;
    expect(fence).toEqual([{ holder: 'replica-b', epoch: 2n }]);
    expect(await counterValue(b, 'batchyard_leader_fenced_writes_total', {})).toBe(0);
    const metrics = await b.request<string>('GET', '/metrics');
    expect(String(metrics.body)).toMatch(/batchyard_leader\{replica="replica-b",backend="postgres"\} 1/);
  });
});
