import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prefixSql, type SpringTablePrefixes } from '@batchyard/core';
import {
  createPrismaClient,
  ensureTablePrefixes,
  executions,
  type PrismaClient,
  TablePrefixError,
} from '@batchyard/db';
import {
  chunkStep,
  iterableReader,
  job,
  launchJob,
  PostgresJobRepository,
  parameters,
} from '@batchyard/worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import { runJob, runTask } from './fixtures/spring/app.mjs';
import { SQL } from './fixtures/spring/statements.mjs';
import { startTestServer, type TestServer } from './harness.js';

/**
 * A server configured with SCDF 2.11's Boot 3 prefixes (BOOT3_BATCH_, BOOT3_TASK_): a Spring app
 * issuing its DAOs' statements with that %PREFIX%, and the worker given the same prefixes, are read
 * through the API and by each other; the prefix's names are views over the one job repository, with
 * sequences of their own that every writer (the server's execution ids included) draws from.
 */

const BOOT3: SpringTablePrefixes = { batch: 'BOOT3_BATCH_', task: 'BOOT3_TASK_' };

let server: TestServer;
let prisma: PrismaClient;
let pool: pg.Pool;
let repo: PostgresJobRepository;

beforeAll(async () => {
  server = await startTestServer({
    BATCHYARD_SPRING_BATCH_TABLE_PREFIX: BOOT3.batch,
    BATCHYARD_SPRING_TASK_TABLE_PREFIX: BOOT3.task,
    BATCHYARD_PLATFORMS: JSON.stringify([
      { name: 'local', type: 'local', workDir: await mkdtemp(join(tmpdir(), 'batchyard-prefix-')) },
    ]),
  });
  prisma = createPrismaClient({ url: server.db.url, poolSize: 2 });
  pool = new pg.Pool({ connectionString: server.db.url, max: 3 });
  repo = PostgresJobRepository.fromUrl(server.db.url, { max: 2, tablePrefixes: BOOT3 });
});
afterAll(async () => {
  await repo.close();
  await pool.end();
  await prisma.$disconnect();
  await server.close();
});

/** A Spring app's connection: its DAOs' statements with %PREFIX% replaced, as Spring does. */
const springApp = (c: pg.ClientBase) => ({
  query: (text: string | pg.QueryConfig, values?: unknown[]) =>
    typeof text === 'string'
      ? c.query(prefixSql(text, BOOT3), values)
      : c.query({ ...text, text: prefixSql(text.text, BOOT3) }),
});
const relkind = async (name: string) =>
  (await pool.query<{ k: string }>('SELECT relkind::text AS k FROM pg_class WHERE relname = $1', [name]))
    .rows[0]?.k;
const get = <T>(path: string) => server.request<T>('GET', path).then((r) => r.body);
const newTask = async (taskName: string) =>
  (
    await executions.insertExecution(prisma, {
      taskName,
      status: 'RUNNING',
      arguments: [],
      properties: {},
      platformName: 'local',
      platformType: 'local',
    })
  ).id;

describe('Spring table prefixes BOOT3_BATCH_ / BOOT3_TASK_', () => {
  it("gives every table a view and every sequence its own; the server's ids come from BOOT3_TASK_SEQ", async () => {
    expect(prefixSql(SQL.createJobInstance, BOOT3)).toContain('boot3_batch_job_instance');
    for (const v of [
      'boot3_batch_job_execution',
      'boot3_batch_step_execution_context',
      'boot3_task_task_batch',
    ])
      expect(await relkind(v)).toBe('v');
    for (const s of ['boot3_batch_job_seq', 'boot3_batch_job_instance_seq', 'boot3_task_seq'])
      expect(await relkind(s)).toBe('S');
    const before = Number((await pool.query('SELECT last_value FROM boot3_task_seq')).rows[0].last_value);
    const id = await newTask('probe');
    expect(id).toBeGreaterThanOrEqual(before);
    expect(Number((await pool.query('SELECT last_value FROM boot3_task_seq')).rows[0].last_value)).toBe(id);
    // Idempotent: a second start creates nothing.
    expect(await ensureTablePrefixes(prisma, BOOT3)).toEqual({ created: [], advanced: [] });
  });

  it("a Spring app's run under the prefix reads back through the API: job, steps, counters, task link", async () => {
    const taskId = await newTask('import');
    const c = await pool.connect();
    let run: Awaited<ReturnType<typeof runJob>>;
    try {
      const app = springApp(c) as unknown as pg.ClientBase;
      run = await runTask(app, { taskExecutionId: taskId, taskName: 'import' }, () =>
        runJob(app, taskId, {
          name: 'importJob',
          params: [{ name: 'run.id', type: 'java.lang.Long', value: '1', identifying: true }],
          steps: [{ name: 'load', items: 45, chunkSize: 10 }],
        }),
      );
    } finally {
      c.release();
    }
    const list = await get<{ items: { id: number; taskExecutionId: number | null; status: string }[] }>(
      `/jobs/executions?taskExecutionId=${taskId}`,
    );
    expect(list.items).toEqual([
      expect.objectContaining({ id: run.jobExecutionId, taskExecutionId: taskId, status: 'COMPLETED' }),
    ]);
    const detail = await get<{ steps: { stepName: string; readCount: number; commitCount: number }[] }>(
      `/jobs/executions/${run.jobExecutionId}`,
    );
    expect(detail.steps).toEqual([
      expect.objectContaining({ stepName: 'load', readCount: 45, commitCount: 5 }),
    ]);
    const task = await get<{ exitMessage: string | null; jobExecutionIds: number[] }>(
      `/tasks/executions/${taskId}`,
    );
    expect(task.jobExecutionIds).toEqual([run.jobExecutionId]);
  });

  it('the worker writes through the prefixed names; Spring reads its rows with the same prefix', async () => {
    const taskId = await newTask('export');
    const ex = await launchJob(
      job('exportJob')
        .start(
          chunkStep<number, number>('load', {
            reader: iterableReader(Array.from({ length: 25 }, (_, i) => i)),
            writer: { write: () => {} },
            chunkSize: 10,
          }),
        )
        .build(),
      parameters({ 'run.id': 7 }),
      { repository: repo, onCreated: async (e) => void (await repo.linkTaskExecution(taskId, e.id)) },
    );
    expect(ex.status).toBe('COMPLETED');
    // Its ids came from the prefix's sequences.
    expect(
      Number((await pool.query('SELECT last_value FROM boot3_batch_job_execution_seq')).rows[0].last_value),
    ).toBe(ex.id);
    const c = await pool.connect();
    try {
      const app = springApp(c);
      const je = (await app.query(SQL.jobExecutionById, [ex.id])).rows[0];
      expect(je).toMatchObject({ status: 'COMPLETED' });
      const steps = (await app.query(SQL.stepExecutions, [ex.id])).rows;
      expect(steps.map((s) => [s.step_name, Number(s.read_count), Number(s.commit_count)])).toEqual([
        ['load', 25, 3],
      ]);
      const linked = (await app.query(SQL.jobExecutionsOfTask, [taskId])).rows.map((r) =>
        Number(r.job_execution_id),
      );
      expect(linked).toEqual([ex.id]);
    } finally {
      c.release();
    }
    const list = await get<{ items: { id: number }[] }>(`/jobs/executions?taskExecutionId=${taskId}`);
    expect(list.items.map((i) => i.id)).toEqual([ex.id]);
  });

  it("back to Spring's default prefixes: the default sequences move past every id written meanwhile", async () => {
    const result = await ensureTablePrefixes(prisma, { batch: 'BATCH_', task: 'TASK_' });
    expect(result.advanced).toEqual(
      expect.arrayContaining(['batch_job_execution_seq', 'batch_step_execution_seq', 'task_seq']),
    );
    const max = Number(
      (await pool.query('SELECT max(job_execution_id) AS m FROM batch_job_execution')).rows[0].m,
    );
    expect(
      Number((await pool.query("SELECT nextval('batch_job_execution_seq') AS n")).rows[0].n),
    ).toBeGreaterThan(max);
    const task = Number((await pool.query('SELECT batchyard_next_task_id() AS n')).rows[0].n);
    expect(task).toBeGreaterThan(
      Number((await pool.query('SELECT max(id) AS m FROM batchyard_task_execution')).rows[0].m),
    );
    // And the server's ids come from task_seq again.
    expect(Number((await pool.query('SELECT last_value FROM task_seq')).rows[0].last_value)).toBe(task);
    await ensureTablePrefixes(prisma, BOOT3);
  });

  it('a launched Spring app is given the prefixes, and its job (written under them) shows in the API', async () => {
    const standin = fileURLToPath(new URL('./fixtures/spring/standin.mjs', import.meta.url));
    expect(
      (
        await server.request('POST', '/apps/task/standin/1.0', {
          uri: 'local:standin',
          command: ['node', standin],
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await server.request('POST', '/tasks/definitions', {
          name: 'boot3-import',
          definition: 'standin --items=35',
        })
      ).status,
    ).toBe(201);
    const r = await server.request<{ id: number }>('POST', '/tasks/executions', { name: 'boot3-import' });
    expect(r.status).toBe(201);
    const done = await until(
      () =>
        get<{
          status: string;
          exitMessage: string | null;
          jobExecutionIds: number[];
          manifest: { command: string[] };
        }>(`/tasks/executions/${r.body.id}`),
      (e) => ['COMPLETE', 'FAILED', 'LOST'].includes(e.status),
      'the standin to end',
    );
    expect(done).toMatchObject({ status: 'COMPLETE', exitMessage: 'COMPLETED' });
    expect(done.manifest.command).toEqual(
      expect.arrayContaining([
        '--spring.batch.jdbc.table-prefix=BOOT3_BATCH_',
        '--spring.cloud.task.tablePrefix=BOOT3_TASK_',
      ]),
    );
    expect(done.jobExecutionIds).toHaveLength(1);
    const job = await get<{ steps: { readCount: number }[] }>(`/jobs/executions/${done.jobExecutionIds[0]}`);
    expect(job.steps.map((st) => st.readCount)).toEqual([35]);
  });

  it('refuses a prefix whose names belong to something else, naming it', async () => {
    await expect(ensureTablePrefixes(prisma, { batch: 'BATCH_', task: 'batchyard_task_' })).rejects.toThrow(
      new TablePrefixError(
        "table prefixes: batchyard_task_execution exists and is not Batchyard's view of task_execution; choose another prefix",
      ),
    );
    await expect(ensureTablePrefixes(prisma, { batch: 'BATCH_', task: 'BATCH_JOB_' })).rejects.toThrow(
      /both name batch_job_execution/,
    );
  });
});
