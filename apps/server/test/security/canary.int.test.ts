import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../../test/setup/until.js';
import { startTestServer, type TestServer } from '../harness.js';

/**
 * A canary secret handed to a launch every way a user might — launch arguments, app and deployer
 * properties, an environment variable, the task DSL and job-parameter-style arguments — must reach
 * the task process and appear in none of: API responses, database rows, server logs, /metrics.
 */

const TASK = fileURLToPath(new URL('../fixtures/canary-task.mjs', import.meta.url));

describe('secrets never leave masked', () => {
  const canary = `cnry${randomBytes(8).toString('hex')}`;
  const logs: string[] = [];
  const responses: string[] = [];
  let s: TestServer;
  let out: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await s.request(method, path, body);
    responses.push(`${method} ${path} ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-canary-'));
    out = join(work, 'received.json');
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    });
    s = await startTestServer(
      {
        BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]),
        BATCHYARD_REGISTER_SAMPLES: 'false',
        BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
      },
      {
        yaml: { redaction: { encryptionKey: randomBytes(32).toString('base64') } },
        deps: { logger: pino({ level: 'trace' }, sink) },
      },
    );
  });
  afterAll(() => s.close());

  it('reaches the process and nothing else', async () => {
    await call('POST', '/apps/task/canary/1.0', { uri: 'local:canary', command: ['node', TASK] });
    const def = await call('POST', '/tasks/definitions', {
      name: 'canary-task',
      definition: `canary --api.token=${canary} --mode=fast`,
    });
    expect(def.status).toBe(201);
    const launch = await call('POST', '/tasks/executions', {
      name: 'canary-task',
      arguments: [
        `--db.password=${canary}`,
        `spring.datasource.password=${canary}`,
        `--url=postgres://u:${canary}@db/x`,
      ],
      properties: {
        'app.canary.client-secret': canary,
        'deployer.canary.environmentVariables': `CANARY_OUT=${out},DB_PASSWORD=${canary}`,
      },
    });
    expect(launch.status).toBe(201);
    const id = (launch.body as { id: number }).id;
    await until(
      () => call('GET', `/tasks/executions/${id}`).then((r) => (r.body as { status: string }).status),
      (status) => status === 'COMPLETE' || status === 'FAILED',
      'the canary task to end',
    );

    // It reached the process: arguments (DSL, launch, app properties) and environment.
    const received = JSON.parse(await readFile(out, 'utf8')) as {
      argv: string[];
      env: Record<string, string>;
    };
    expect(received.argv).toContain(`--api.token=${canary}`);
    expect(received.argv).toContain(`--db.password=${canary}`);
    expect(received.argv).toContain(`--client-secret=${canary}`);
    expect(received.env.DB_PASSWORD).toBe(canary);

    for (const path of [
      `/tasks/executions/${id}`,
      '/tasks/executions',
      `/tasks/executions/${id}/logs`,
      '/tasks/definitions',
      '/tasks/definitions/canary-task',
      '/tasks/definitions/canary-task/history',
      '/audit-records',
      '/jobs/executions',
      '/metrics',
      '/about',
    ]) {
      expect((await call('GET', path)).status).toBeLessThan(500);
    }
    const shown = (await s.request<{ definition: string }>('GET', '/tasks/definitions/canary-task')).body;
    expect(shown.definition).toBe('canary --api.token=****** --mode=fast');

    const leaks = responses.filter((r) => r.includes(canary));
    expect(leaks).toEqual([]);
    expect(logs.filter((l) => l.includes(canary))).toEqual([]);

    const tables = await s.prisma.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    expect(tables.length).toBeGreaterThan(10);
    for (const { table_name: table } of tables) {
      const rows = await s.prisma.$queryRawUnsafe<{ row: string }[]>(
        `SELECT t::text AS row FROM "${table}" t`,
      );
      expect(
        rows.filter((r) => r.row.includes(canary)),
        `rows of ${table}`,
      ).toEqual([]);
    }
  });

  it('keeps an edited definition sealed and still launches it with the real value', async () => {
    const edited = await s.request('PUT', '/tasks/definitions/canary-task', {
      definition: `canary --api.token=${canary}x --mode=slow`,
    });
    expect(edited.status).toBe(200);
    expect(JSON.stringify(edited.body)).not.toContain(canary);
    const launch = await s.request<{ id: number }>('POST', '/tasks/executions', {
      name: 'canary-task',
      properties: { 'deployer.canary.environmentVariables': `CANARY_OUT=${out}` },
    });
    await until(
      () =>
        s
          .request<{ status: string }>('GET', `/tasks/executions/${launch.body.id}`)
          .then((r) => r.body.status),
      (status) => status === 'COMPLETE' || status === 'FAILED',
      'the second canary task to end',
    );
    const received = JSON.parse(await readFile(out, 'utf8')) as { argv: string[] };
    expect(received.argv).toContain(`--api.token=${canary}x`);
    const [row] = await s.prisma.$queryRaw<{ dsl_text: string }[]>`
      SELECT dsl_text FROM task_definition WHERE name = 'canary-task'`;
    expect(row!.dsl_text).toMatch(/^canary --api\.token='sealed:v1:[A-Za-z0-9_-]+' --mode=slow$/);
  });

  it('refuses a secret in the DSL when no key can seal it, saying how to pass it', async () => {
    const open = await startTestServer({ BATCHYARD_REGISTER_SAMPLES: 'false' });
    try {
      await open.request('POST', '/apps/task/canary/1.0', { uri: 'docker:acme/canary:1' });
      const r = await open.request<{ details: { path: string; message: string }[] }>(
        'POST',
        '/tasks/definitions',
        {
          name: 'x',
          definition: `canary --db.password=${canary}`,
        },
      );
      expect(r.status).toBe(400);
      expect(r.body.details[0]).toMatchObject({
        path: 'body.definition',
        message: expect.stringMatching(/BATCHYARD_ENCRYPTION_KEY/),
      });
      expect(JSON.stringify(r.body)).not.toContain(canary);
    } finally {
      await open.close();
    }
  });
});
