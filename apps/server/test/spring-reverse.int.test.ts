import { createPrismaClient, executions, type PrismaClient } from '@batchyard/db';
import {
  chunkStep,
  iterableReader,
  job,
  launchJob,
  PostgresJobRepository,
  parameters,
  taskletStep,
} from '@batchyard/worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { jobKey, runJob, type SpringParam } from './fixtures/spring/app.mjs';
import { SQL } from './fixtures/spring/statements.mjs';

/**
 * The reverse direction: what the TypeScript worker writes is read back correctly by Spring
 * Batch's and Spring Cloud Task's own SELECT statements, and a job instance is shared — a Java
 * app restarts what the worker left FAILED, and the worker restarts what a Java app left FAILED.
 */

let db: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
let repo: PostgresJobRepository;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ url: db.url, poolSize: 2 });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  repo = PostgresJobRepository.fromUrl(db.url, { max: 2 });
});
afterAll(async () => {
  await repo.close();
  await pool.end();
  await prisma.$disconnect();
  await db.drop();
});

const one = async (sql: string, values: unknown[]) => (await pool.query(sql, values)).rows[0];
/** What a JVM in UTC reads from a TIMESTAMP column (LocalDateTime), as ISO text. */
const wall = async (sql: string, values: unknown[], column: string) =>
  (await one(`SELECT to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS t FROM (${sql}) q`, values))
    .t as string;

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

/** The same parameters as a Java app passes them (Spring Batch 5 types and toString()). */
const javaParams = (run: number): SpringParam[] => [
  { name: 'run.id', type: 'java.lang.Long', value: String(run), identifying: true },
  { name: 'input', type: 'java.lang.String', value: '/data/x.csv', identifying: true },
  {
    name: 'day',
    type: 'java.util.Date',
    value: '2026-11-30T00:00:00Z',
    keyValue: 'Mon Nov 30 00:00:00 UTC 2026',
    identifying: true,
  },
];
const tsParams = (run: number) =>
  parameters({ 'run.id': run, input: '/data/x.csv', day: new Date('2026-11-30T00:00:00Z') }).with(
    'note',
    'x',
    {
      identifying: false,
    },
  );

describe("the worker's rows, read by Spring's own statements", () => {
  const exportJob = (fail: () => boolean) =>
    job('exportJob')
      .start(
        chunkStep<number, number>('load', {
          reader: iterableReader(Array.from({ length: 25 }, (_, i) => i)),
          writer: {
            write: () => {
              if (fail()) throw new Error('disk full');
            },
          },
          chunkSize: 10,
        }),
      )
      .next(taskletStep('report', () => 'FINISHED'))
      .build();

  it('JdbcJobInstanceDao finds the instance by its own job key; the execution, parameters, steps and contexts read back', async () => {
    const taskId = await newTask('export');
    const ex = await launchJob(
      exportJob(() => false),
      tsParams(1),
      {
        repository: repo,
        onCreated: async (e) => {
          await repo.linkTaskExecution(taskId, e.id);
        },
      },
    );
    await repo.setTaskExitMessage(taskId, ex.exitStatus.code);
    expect(ex.status).toBe('COMPLETED');

    const inst = await one(SQL.findJobWithKey, ['exportJob', jobKey(javaParams(1))]);
    expect(Number(inst.job_instance_id)).toBe(ex.instance.id);
    const last = await one(SQL.lastJobExecutionId, [ex.instance.id, ex.instance.id]);
    expect(Number(last.job_execution_id)).toBe(ex.id);
    const je = await one(SQL.jobExecutionById, [ex.id]);
    expect(je).toMatchObject({ status: 'COMPLETED', exit_code: 'COMPLETED', exit_message: '' });
    expect(Number(je.version)).toBeGreaterThan(0);
    expect(await wall(SQL.jobExecutionById, [ex.id], 'start_time')).toBe(
      ex.startTime?.toISOString().replace('Z', ''),
    );

    // JobParameters: each type is a Java class Class.forName finds, each value converts to it.
    const params = (await pool.query(SQL.jobParameters, [ex.id])).rows.sort((a, b) =>
      a.parameter_name < b.parameter_name ? -1 : 1,
    );
    expect(params.map((p) => [p.parameter_name, p.parameter_type, p.parameter_value, p.identifying])).toEqual(
      [
        ['day', 'java.util.Date', '2026-11-30T00:00:00Z', 'Y'],
        ['input', 'java.lang.String', '/data/x.csv', 'Y'],
        ['note', 'java.lang.String', 'x', 'N'],
        ['run.id', 'java.lang.Long', '1', 'Y'],
      ],
    );

    const steps = (await pool.query(SQL.stepExecutions, [ex.id])).rows;
    expect(
      steps.map((s) => [
        s.step_name,
        s.status,
        Number(s.read_count),
        Number(s.write_count),
        Number(s.commit_count),
      ]),
    ).toEqual([
      ['load', 'COMPLETED', 25, 25, 3],
      ['report', 'COMPLETED', 0, 0, 1],
    ]);
    expect(steps.every((s) => s.create_time !== null && Number(s.version) > 0)).toBe(true);
    // Jackson2ExecutionContextStringSerializer reads a map that says its class.
    const stepCtx = await one(SQL.findStepContext, [steps[0]?.step_execution_id]);
    expect(JSON.parse(stepCtx.short_context)).toEqual({
      '@class': 'java.util.HashMap',
      'iterableReader.read.count': 25,
    });
    expect(stepCtx.serialized_context).toBeNull();
    expect(JSON.parse((await one(SQL.findJobContext, [ex.id])).short_context)['@class']).toBe(
      'java.util.HashMap',
    );

    // Spring Cloud Task: the job is linked, the exit message is the worker's, the rest the control plane's.
    expect(
      (await pool.query(SQL.jobExecutionsOfTask, [taskId])).rows.map((r) => Number(r.job_execution_id)),
    ).toEqual([ex.id]);
    expect(await one(SQL.getTask, [taskId])).toMatchObject({
      task_name: 'export',
      exit_message: 'COMPLETED',
      end_time: null,
    });
    expect((await pool.query(SQL.runningExecutions, ['exportJob'])).rowCount).toBe(0);
  });

  it('a Java app restarts the instance the worker left FAILED', async () => {
    const failed = await launchJob(
      exportJob(() => true),
      tsParams(2),
      { repository: repo },
    );
    expect(failed.status).toBe('FAILED');
    const java = await runJob(pool, undefined, {
      name: 'exportJob',
      params: javaParams(2),
      steps: [{ name: 'load', items: 25, chunkSize: 10 }],
    });
    expect(java).toMatchObject({ jobInstanceId: failed.instance.id, status: 'COMPLETED' });
  });

  it('the worker restarts the instance a Java app left FAILED', async () => {
    const java = await runJob(pool, undefined, {
      name: 'exportJob',
      params: javaParams(3),
      steps: [{ name: 'load', items: 25, chunkSize: 10, failAt: 12 }],
    });
    expect(java.status).toBe('FAILED');
    const again = await launchJob(
      exportJob(() => false),
      tsParams(3),
      { repository: repo },
    );
    expect(again.instance.id).toBe(java.jobInstanceId);
    expect(again.status).toBe('COMPLETED');
    const last = await repo.getLastJobExecution('exportJob');
    expect(last?.id).toBe(again.id);
    expect(last?.parameters.number('run.id')).toBe(3);
  });
});
