import { Readable } from 'node:stream';
import { createPrismaClient, type PrismaClient } from '@batchyard/db';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformRegistry } from '../src/platform/registry.js';
import type { Observation, Platform } from '../src/platform/types.js';
import { Reconciler } from '../src/services/reconciler.js';
import { runJob, runTask, type SpringJob } from './fixtures/spring/app.mjs';
import { startTestServer, type TestServer } from './harness.js';

/**
 * A CronJob-fired Spring app: the controller creates the Job, the reconciler adopts it (Batchyard's
 * row and a TASK_EXECUTION row under a new id), and the app — given no execution id, only
 * `spring.cloud.task.external-execution-id=<Job name>` — inserts its own TASK_EXECUTION row with
 * Spring Cloud Task 3's createTaskExecution statements (fixtures/spring). The reconciler merges the
 * app's row into the adopted execution: job links while it runs; exit message and end when it ends.
 * The platform is this file's stand-in for a Kubernetes account (what its Job and pod say).
 */

interface Execution {
  id: number;
  status: string;
  scheduleName: string | null;
  exitCode: number | null;
  exitMessage: string | null;
  externalExecutionId: string | null;
  jobExecutionIds: number[];
}

let server: TestServer;
let prisma: PrismaClient;
let pool: pg.Pool;

beforeAll(async () => {
  server = await startTestServer();
  prisma = createPrismaClient({ url: server.db.url, poolSize: 2 });
  pool = new pg.Pool({ connectionString: server.db.url, max: 2 });
});
afterAll(async () => {
  await pool.end();
  await prisma.$disconnect();
  await server.close();
});

/** A Kubernetes account as the reconciler sees it: Jobs a CronJob created, in the state set here. */
function cronJobAccount() {
  const jobs = new Map<string, Observation>();
  const platform: Platform = {
    name: 'k8s',
    type: 'kubernetes',
    maxConcurrent: 10,
    defaults: {},
    validateDeployerProperties: () => [],
    manifest: () => Promise.reject(new Error('not launched here')),
    launch: () => Promise.reject(new Error('not launched here')),
    stop: async () => {},
    cleanup: async () => {},
    logs: async () => Readable.from(['log\n']),
    observe: async (externalId) => jobs.get(externalId),
    watch: async () => {},
    identify: async (externalId) =>
      jobs.has(externalId)
        ? { taskName: 'nightly-import', scheduleName: 'nightly', arguments: ['run.id=1,java.lang.Long'] }
        : undefined,
    close: async () => {},
  };
  const reconciler = new Reconciler(prisma, new PlatformRegistry([platform]), pino({ level: 'silent' }), {
    logTailBytes: 1000,
  });
  return {
    set: (externalId: string, o: Omit<Observation, 'externalId'>) =>
      jobs.set(externalId, { externalId, ...o }),
    /** A watch event for the Job. */
    event: (externalId: string) => reconciler.apply(platform, { externalId }),
  };
}

const job = (run: string): SpringJob => ({
  name: 'importJob',
  params: [{ name: 'run.id', type: 'java.lang.Long', value: run, identifying: true }],
  steps: [{ name: 'load', items: 25, chunkSize: 10 }],
});

const byExternalId = async (externalId: string) => {
  const r = await pool.query<{ id: number }>(
    'SELECT id FROM batchyard_task_execution WHERE external_execution_id = $1',
    [externalId],
  );
  return r.rows[0]?.id;
};
const execution = async (id: number) =>
  (await server.request<Execution>('GET', `/tasks/executions/${id}`)).body;
const taskRows = async (externalId: string) =>
  (
    await pool.query<{ id: string; exit_message: string | null; end_time: Date | null }>(
      `SELECT TASK_EXECUTION_ID AS id, EXIT_MESSAGE, END_TIME FROM TASK_EXECUTION
        WHERE EXTERNAL_EXECUTION_ID = $1 ORDER BY TASK_EXECUTION_ID`,
      [externalId],
    )
  ).rows.map((r) => ({ id: Number(r.id), exitMessage: r.exit_message, ended: r.end_time !== null }));

describe("a CronJob-fired Spring app's own TASK_EXECUTION row", () => {
  it('adopted first: the app writes its row later; its job links while it runs, its end when it ends', async () => {
    const account = cronJobAccount();
    const jobName = 'nightly-import-29400120';
    account.set(jobName, { status: 'PENDING' });
    await account.event(jobName);
    const id = (await byExternalId(jobName))!;
    expect(id).toBeDefined();

    const c = await pool.connect();
    try {
      const result = await runTask(
        c,
        { taskName: 'nightly-import', externalExecutionId: jobName, args: ['run.id=1,java.lang.Long'] },
        async (appId) => {
          expect(appId).not.toBe(id);
          const r = await runJob(c, appId, job('1'));
          // The pod runs: the app's job link moves to the adopted execution.
          account.set(jobName, { status: 'RUNNING', startTime: new Date() });
          await account.event(jobName);
          const running = await execution(id);
          expect(running).toMatchObject({ status: 'RUNNING', jobExecutionIds: [r.jobExecutionId] });
          const jobView = await server.request<{ taskExecutionId: number }>(
            'GET',
            `/jobs/executions/${r.jobExecutionId}`,
          );
          expect(jobView.body.taskExecutionId).toBe(id);
          // The app's row is still there: Spring Cloud Task's end update needs it.
          expect((await taskRows(jobName)).map((t) => t.id)).toEqual([id, appId]);
          return { ...r, exitCode: 'IMPORTED' };
        },
      );
      expect(result.exitMessage).toBe('IMPORTED');
    } finally {
      c.release();
    }

    account.set(jobName, { status: 'COMPLETE', exitCode: 0, endTime: new Date() });
    await account.event(jobName);
    const done = await execution(id);
    expect(done).toMatchObject({
      status: 'COMPLETE',
      scheduleName: 'nightly',
      exitCode: 0,
      exitMessage: 'IMPORTED',
      externalExecutionId: jobName,
    });
    expect(done.jobExecutionIds).toHaveLength(1);
    // One TASK_EXECUTION row for the run: the adopted one, with the app's end.
    expect(await taskRows(jobName)).toEqual([{ id, exitMessage: 'IMPORTED', ended: true }]);
    const params = await pool.query(
      'SELECT TASK_PARAM FROM TASK_EXECUTION_PARAMS WHERE TASK_EXECUTION_ID = $1',
      [id],
    );
    expect(params.rows).toEqual([{ task_param: 'run.id=1,java.lang.Long' }]);
  });

  it('written before the adoption: merged at the first reconcile; a failing app leaves its error', async () => {
    const account = cronJobAccount();
    const jobName = 'nightly-import-29400121';
    const c = await pool.connect();
    let appId = 0;
    try {
      await runTask(c, { taskName: 'nightly-import', externalExecutionId: jobName }, async (own) => {
        appId = own;
        return {
          ...(await runJob(c, own, {
            ...job('2'),
            steps: [{ name: 'load', items: 25, chunkSize: 10, failAt: 14 }],
          })),
        };
      });
    } finally {
      c.release();
    }
    account.set(jobName, { status: 'FAILED', exitCode: 1, reason: 'Error', endTime: new Date() });
    await account.event(jobName);
    const id = (await byExternalId(jobName))!;
    expect(id).not.toBe(appId);
    const done = await execution(id);
    expect(done).toMatchObject({ status: 'FAILED', exitCode: 1, exitMessage: 'FAILED' });
    expect(done.jobExecutionIds).toHaveLength(1);
    expect(await taskRows(jobName)).toEqual([{ id, exitMessage: 'FAILED', ended: true }]);
    const error = await pool.query<{ error_message: string | null }>(
      'SELECT ERROR_MESSAGE FROM TASK_EXECUTION WHERE TASK_EXECUTION_ID = $1',
      [id],
    );
    expect(error.rows[0]?.error_message).toMatch(/14/);
  });

  it("leaves other Jobs' rows and Batchyard's own rows alone", async () => {
    const account = cronJobAccount();
    const c = await pool.connect();
    try {
      await runTask(c, { taskName: 'other', externalExecutionId: 'other-job-1' }, async (own) =>
        runJob(c, own, job('3')),
      );
    } finally {
      c.release();
    }
    const jobName = 'nightly-import-29400122';
    account.set(jobName, { status: 'COMPLETE', exitCode: 0, endTime: new Date() });
    await account.event(jobName);
    const id = (await byExternalId(jobName))!;
    expect((await execution(id)).jobExecutionIds).toEqual([]);
    expect((await taskRows('other-job-1')).map((t) => t.exitMessage)).toEqual(['COMPLETED']);
  });
});
