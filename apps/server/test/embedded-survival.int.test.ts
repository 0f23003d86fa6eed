import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readCredentials } from '@batchyard/db';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../../../test/e2e/launch/server.js';

/**
 * The real `batchyard server` binary on the embedded database, killed the ways a machine kills
 * things: the server SIGKILLed (its PostgreSQL left running), the PostgreSQL SIGKILLed under it.
 */

function postmaster(dataDir: string): { pid: number; port: number } {
  const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `check` holds (no deadline of its own: the test timeout bounds it). */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await sleep(100);
}

const ready = (server: ServerProcess) => fetch(`${server.url}/health/ready`);

async function createDefinition(server: ServerProcess, name: string): Promise<void> {
  const res = await fetch(`${server.url}/tasks/definitions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, definition: 'settlement --chunkSize=10' }),
  });
  expect(res.status).toBe(201);
}

async function definitionExists(server: ServerProcess, name: string): Promise<boolean> {
  return (await fetch(`${server.url}/tasks/definitions/${name}`)).status === 200;
}

/**
 * A backend of the cluster, stopped (SIGSTOP): it keeps the cluster's shared memory attached, so
 * PostgreSQL refuses to start again until it is continued — a restart that fails for as long as
 * the test wants, without racing the server.
 */
async function stopABackend(dataDir: string): Promise<number> {
  const credentials = await readCredentials(dataDir);
  if (!credentials) throw new Error('no credentials file');
  const client = new pg.Client({
    host: '127.0.0.1',
    port: postmaster(dataDir).port,
    user: credentials.app.name,
    password: credentials.app.password,
    database: 'batchyard',
  });
  client.on('error', () => undefined);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = rows[0]?.pid ?? 0;
  process.kill(pid, 'SIGSTOP');
  return pid;
}

describe('the embedded database survives', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  async function dataDirectory(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'batchyard-survive-'));
    await chmod(dir, 0o755);
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    return join(dir, 'pg');
  }
  async function start(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
    const server = await startServerProcess({ BATCHYARD_EMBEDDED_DB_DIR: dataDir, ...env });
    cleanup.push(() => {
      const p = server.process;
      return p.exitCode === null && p.signalCode === null ? server.kill('SIGTERM') : undefined;
    });
    return server;
  }

  it('SIGKILL the server: its orphaned PostgreSQL is shut down and the next start starts, data kept', async () => {
    const dataDir = await dataDirectory();
    const first = await start(dataDir);
    await createDefinition(first, 'kept-across-kill');
    const orphan = postmaster(dataDir).pid;
    await first.kill('SIGKILL');
    expect(alive(orphan)).toBe(true); // left running, adopted by init

    const second = await start(dataDir);
    expect(alive(orphan)).toBe(false);
    expect(postmaster(dataDir).pid).not.toBe(orphan);
    expect(await definitionExists(second, 'kept-across-kill')).toBe(true);
  });

  it('SIGKILL the PostgreSQL: not ready and 503 + Retry-After while it is down, then restarted, no data lost', async () => {
    const dataDir = await dataDirectory();
    const server = await start(dataDir, { BATCHYARD_EMBEDDED_DB_RESTART_ATTEMPTS: '50' });
    await createDefinition(server, 'kept-across-crash');
    const backend = await stopABackend(dataDir);
    cleanup.push(() => {
      if (alive(backend)) process.kill(backend, 'SIGKILL');
    });
    const crashed = postmaster(dataDir);
    process.kill(crashed.pid, 'SIGKILL');

    // Until the server has noticed (the readiness probe may fail to connect a moment before):
    let notReady: { status: number; body: { status: string; details: { database: string } } } | undefined;
    await until(async () => {
      const res = await ready(server);
      notReady = { status: res.status, body: (await res.json()) as never };
      return notReady.body.details.database.includes('restarting');
    });
    expect(notReady?.status).toBe(503);
    expect(notReady?.body.status).toBe('DOWN');
    expect(notReady?.body.details.database).toMatch(/restarting \(attempt \d+ of 50\).*SIGKILL/);
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    const api = await fetch(`${server.url}/tasks/definitions`);
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('5');
    expect(((await api.json()) as { error: string }).error).toBe('DATABASE_UNAVAILABLE');

    process.kill(backend, 'SIGCONT'); // it sees its postmaster gone and exits; the next attempt starts
    await until(async () => (await ready(server)).status === 200);
    expect(postmaster(dataDir).port).toBe(crashed.port);
    expect(await definitionExists(server, 'kept-across-crash')).toBe(true);
    await createDefinition(server, 'written-after-recovery');
  });

  it('a PostgreSQL that cannot be restarted: the server exits non-zero after its attempts', async () => {
    const dataDir = await dataDirectory();
    const server = await start(dataDir, { BATCHYARD_EMBEDDED_DB_RESTART_ATTEMPTS: '2' });
    const exited = new Promise<number | null>((r) => server.process.once('exit', (code) => r(code)));
    const backend = await stopABackend(dataDir);
    cleanup.push(() => {
      if (alive(backend)) process.kill(backend, 'SIGKILL');
    });
    process.kill(postmaster(dataDir).pid, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(existsSync(dataDir)).toBe(true);
  });
});
