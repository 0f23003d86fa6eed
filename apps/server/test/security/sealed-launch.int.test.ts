import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/setup/database.js';
import { until } from '../../../../test/setup/until.js';
import { startTestServer, type TestServer } from '../harness.js';

/**
 * Secrets given at launch are masked in the row, yet a queued execution started by a later server
 * process (the in-memory request is gone) and a relaunch must give the task the real values: they
 * are sealed in `sealed_launch` and opened only to build the task. Without a key, a relaunch that
 * would send `******` is refused, naming the secrets.
 */

const CANARY_TASK = fileURLToPath(new URL('../fixtures/canary-task.mjs', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../fixtures/scripted-task.mjs', import.meta.url));

interface Execution {
  id: number;
  status: string;
  arguments: string[];
  properties: Record<string, string>;
  errorMessage: string | null;
}
interface Received {
  argv: string[];
  env: Record<string, string>;
}

describe('sealed launch secrets', { timeout: 180_000 }, () => {
  const canary = `cnry${randomBytes(8).toString('hex')}`;
  const key = randomBytes(32).toString('base64');
  const logs: string[] = [];
  const responses: string[] = [];
  const servers: TestServer[] = [];
  let db: TestDatabase | undefined;
  afterAll(async () => {
    for (const s of servers) await s.close().catch(() => undefined);
    await db?.drop();
  });

  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const start = async (env: NodeJS.ProcessEnv, withKey: boolean, database?: TestDatabase) => {
    const s = await startTestServer(
      { BATCHYARD_REGISTER_SAMPLES: 'false', BATCHYARD_SCHEDULE_CHECK_SECONDS: '0', ...env },
      {
        ...(database ? { db: database, keepDatabase: true } : {}),
        ...(withKey ? { yaml: { redaction: { encryptionKey: key } } } : {}),
        deps: { logger: pino({ level: 'trace' }, sink) },
      },
    );
    servers.push(s);
    const call = async <T>(method: string, path: string, body?: unknown) => {
      const r = await s.request<T>(method, path, body);
      responses.push(`${method} ${path} ${r.status} ${JSON.stringify(r.body)}`);
      return r;
    };
    const ended = (id: number) =>
      until(
        () => call<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body),
        (e) => ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(e.status),
        `execution ${id} to end`,
      );
    return { s, call, ended };
  };
  const secretLaunch = (out: string) => ({
    name: 'canary-task',
    arguments: [`--db.password=${canary}`, `--url=postgres://u:${canary}@db/x`, '--mode=fast'],
    properties: {
      'app.canary.client-secret': canary,
      'deployer.canary.environmentVariables': `CANARY_OUT=${out},DB_PASSWORD=${canary}`,
    },
  });
  const expectReal = (received: Received) => {
    expect(received.argv).toContain(`--db.password=${canary}`);
    expect(received.argv).toContain(`--url=postgres://u:${canary}@db/x`);
    expect(received.argv).toContain(`--client-secret=${canary}`);
    expect(received.argv.join(' ')).not.toContain('******');
    expect(received.env.DB_PASSWORD).toBe(canary);
  };

  it('a queued launch started by the next server process, and its relaunch, get the real values', async () => {
    db = await createTestDatabase();
    const work = await mkdtemp(join(tmpdir(), 'batchyard-sealed-'));
    const out = join(work, 'received.json');
    const env = {
      BATCHYARD_PLATFORMS: JSON.stringify([
        { name: 'local', type: 'local', workDir: work, maxConcurrent: 1 },
      ]),
    };
    const first = await start(env, true, db);
    await first.call('POST', '/apps/task/canary/1.0', {
      uri: 'local:canary',
      command: ['node', CANARY_TASK],
    });
    await first.call('POST', '/apps/task/scripted/1.0', { uri: 'local:scripted', command: ['node', SCRIPT] });
    await first.call('POST', '/tasks/definitions', { name: 'canary-task', definition: 'canary' });
    await first.call('POST', '/tasks/definitions', { name: 'blocker', definition: 'scripted' });

    // The one slot is taken, so the secret launch waits in the queue.
    const blocker = (
      await first.call<Execution>('POST', '/tasks/executions', {
        name: 'blocker',
        arguments: ['--sleep=600000'],
      })
    ).body.id;
    await until(
      () => first.call<Execution>('GET', `/tasks/executions/${blocker}`).then((r) => r.body.status),
      (status) => status === 'RUNNING',
      'the blocker to run',
    );
    const queued = await first.call<Execution>('POST', '/tasks/executions', secretLaunch(out));
    expect(queued.status).toBe(201);
    expect(queued.body.status).toBe('QUEUED');
    expect(queued.body.arguments).toEqual([
      '--db.password=******',
      '--url=postgres://u:******@db/x',
      '--mode=fast',
    ]);
    expect(queued.body.properties['app.canary.client-secret']).toBe('******');
    const [row] = await first.s.prisma.$queryRaw<{ sealed_launch: string | null }[]>`
      SELECT sealed_launch FROM batchyard_task_execution WHERE id = ${queued.body.id}`;
    expect(row?.sealed_launch).toMatch(/^sealed:v1:[A-Za-z0-9_-]+$/);

    // The server goes away with the request only in its memory; the blocker is killed meanwhile.
    await first.s.close();
    servers.splice(servers.indexOf(first.s), 1);
    const pid = Number((await readFile(join(work, `local-${blocker}`, 'pid'), 'utf8')).trim());
    process.kill(-pid, 'SIGKILL');
    await rm(join(work, `local-${blocker}`), { recursive: true, force: true });

    const second = await start(env, true, db);
    expect((await second.ended(queued.body.id)).status).toBe('COMPLETE');
    expectReal(JSON.parse(await readFile(out, 'utf8')) as Received);

    // A relaunch (and a job-restart-like relaunch after another restart) opens them again.
    await rm(out);
    const again = await second.call<Execution>('POST', `/tasks/executions/${queued.body.id}/relaunch`);
    expect(again.status).toBe(201);
    expect((await second.ended(again.body.id)).status).toBe('COMPLETE');
    expectReal(JSON.parse(await readFile(out, 'utf8')) as Received);

    for (const path of [
      `/tasks/executions/${queued.body.id}`,
      `/tasks/executions/${again.body.id}`,
      '/tasks/executions',
      `/tasks/executions/${again.body.id}/logs`,
      '/audit-records',
      '/metrics',
    ]) {
      expect((await second.call('GET', path)).status).toBeLessThan(500);
    }
    expect(responses.filter((r) => r.includes(canary))).toEqual([]);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((l) => l.includes(canary))).toEqual([]);
    // The plain columns of the rows, and every other table, hold no trace of it.
    const tables = await second.s.prisma.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    expect(tables.map((t) => t.table_name)).toContain('batchyard_task_execution');
    for (const { table_name: table } of tables) {
      const rows = await second.s.prisma.$queryRawUnsafe<{ row: string }[]>(
        `SELECT t::text AS row FROM "${table}" t`,
      );
      expect(
        rows.filter((r) => r.row.includes(canary)),
        `rows of ${table}`,
      ).toEqual([]);
    }
  });

  it('a schedule keeps its secrets sealed: shown and stored masked, every fire (also after an edit) gets the real values', async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-sealed-schedule-'));
    const out = join(work, 'received.json');
    const { s, call, ended } = await start(
      { BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]) },
      true,
    );
    await call('POST', '/apps/task/canary/1.0', { uri: 'local:canary', command: ['node', CANARY_TASK] });
    await call('POST', '/tasks/definitions', { name: 'canary-task', definition: 'canary' });
    const { name: _name, ...launch } = secretLaunch(out);
    const created = await call<{ arguments: string[]; properties: Record<string, string> }>(
      'POST',
      '/tasks/schedules',
      { scheduleName: 'nightly-secret', taskDefinitionName: 'canary-task', cron: '* * * * *', ...launch },
    );
    expect(created.status).toBe(201);
    expect(created.body.arguments).toContain('--db.password=******');
    expect(created.body.properties['app.canary.client-secret']).toBe('******');
    const [row] = await s.prisma.$queryRaw<{ row: string; sealed_launch: string | null }[]>`
      SELECT s::text AS row, sealed_launch FROM schedule s WHERE name = 'nightly-secret'`;
    expect(row?.sealed_launch).toMatch(/^sealed:v1:/);

    const MINUTE = 60_000;
    const fireAt = (ahead: number) => new Date((Math.floor(Date.now() / MINUTE) + ahead) * MINUTE);
    const fire = async (at: Date) => {
      const fired = (await s.app.localScheduler.tick(at)).filter((f) => f.schedule === 'nightly-secret');
      expect(fired).toHaveLength(1);
      expect((await ended(fired[0]!.executionId!)).status).toBe('COMPLETE');
      expectReal(JSON.parse(await readFile(out, 'utf8')) as Received);
      await rm(out);
    };
    await fire(fireAt(2));
    // A PATCH of the cron alone rebuilds the launch from the stored (sealed) one.
    expect((await call('PATCH', '/tasks/schedules/nightly-secret', { cron: '*/2 * * * *' })).status).toBe(
      200,
    );
    const [edited] = await s.prisma.$queryRaw<{ sealed_launch: string | null }[]>`
      SELECT sealed_launch FROM schedule WHERE name = 'nightly-secret'`;
    expect(edited?.sealed_launch).toMatch(/^sealed:v1:/);
    const even = fireAt(4);
    await fire(even.getUTCMinutes() % 2 === 0 ? even : fireAt(5));

    expect((await call('GET', '/tasks/schedules/nightly-secret')).status).toBe(200);
    expect(responses.filter((r) => r.includes(canary))).toEqual([]);
    expect(logs.filter((l) => l.includes(canary))).toEqual([]);
    const rows = await s.prisma.$queryRaw<{ row: string }[]>`SELECT s::text AS row FROM schedule s`;
    expect(rows.filter((r) => r.row.includes(canary))).toEqual([]);
  });

  it('without a key: the launch runs, but a relaunch that would send ****** is a 409 naming the secrets', async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-unsealed-'));
    const out = join(work, 'received.json');
    const plain = await start(
      { BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]) },
      false,
    );
    await plain.call('POST', '/apps/task/canary/1.0', {
      uri: 'local:canary',
      command: ['node', CANARY_TASK],
    });
    await plain.call('POST', '/tasks/definitions', { name: 'canary-task', definition: 'canary' });
    const first = await plain.call<Execution>('POST', '/tasks/executions', secretLaunch(out));
    expect((await plain.ended(first.body.id)).status).toBe('COMPLETE');
    expectReal(JSON.parse(await readFile(out, 'utf8')) as Received);
    const [row] = await plain.s.prisma.$queryRaw<{ sealed_launch: string | null }[]>`
      SELECT sealed_launch FROM batchyard_task_execution WHERE id = ${first.body.id}`;
    expect(row?.sealed_launch).toBeNull();

    const before = (await plain.call<{ items: unknown[] }>('GET', '/tasks/executions')).body.items.length;
    const refused = await plain.call<{ error: string; message: string; details: { path: string }[] }>(
      'POST',
      `/tasks/executions/${first.body.id}/relaunch`,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('--db.password');
    expect(refused.body.message).toContain('app.canary.client-secret');
    expect(refused.body.message).toContain('BATCHYARD_ENCRYPTION_KEY');
    expect(refused.body.details.map((d) => d.path)).toEqual([
      'arguments[0]',
      'arguments[1]',
      'properties.app.canary.client-secret',
      'properties.deployer.canary.environmentVariables',
    ]);
    expect((await plain.call<{ items: unknown[] }>('GET', '/tasks/executions')).body.items.length).toBe(
      before,
    );

    // A launch with nothing masked relaunches as before.
    const clean = await plain.call<Execution>('POST', '/tasks/executions', {
      name: 'canary-task',
      properties: { 'deployer.canary.environmentVariables': `CANARY_OUT=${out}` },
    });
    await plain.ended(clean.body.id);
    expect((await plain.call('POST', `/tasks/executions/${clean.body.id}/relaunch`)).status).toBe(201);

    // A schedule must launch again and again with nobody passing the values: without a key to seal
    // them it is refused, naming them, rather than firing with ******.
    const { name: _name, ...launch } = secretLaunch(out);
    const schedule = await plain.call<{ message: string; details: { path: string }[] }>(
      'POST',
      '/tasks/schedules',
      { scheduleName: 'unsealed', taskDefinitionName: 'canary-task', cron: '* * * * *', ...launch },
    );
    expect(schedule.status).toBe(400);
    expect(schedule.body.message).toContain('BATCHYARD_ENCRYPTION_KEY');
    expect(schedule.body.details.map((d) => d.path)).toContain('body.arguments[0]');
    expect((await plain.call('GET', '/tasks/schedules/unsealed')).status).toBe(404);
    expect(responses.filter((r) => r.includes(canary))).toEqual([]);
  });
});
