import { createPrismaClient, executions, type PrismaClient } from '@batchyard/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKey, runJob, runTask, type SpringJob } from './fixtures/spring/app.mjs';
import { javaSerializedContext } from './fixtures/spring/java-serialized.mjs';
import { startTestServer, type TestServer } from './harness.js';

/**
 * Spring Batch 5's JDBC DAOs and Spring Cloud Task 3's repository, replayed statement by statement
 * (fixtures/spring) against a freshly migrated database, read back through Batchyard's REST API:
 * a run, a failure and its restart, a stop, an abandon.
 */

interface JobExecution {
  id: number;
  jobInstanceId: number;
  jobName: string;
  taskExecutionId: number | null;
  status: string;
  exitCode: string;
  exitMessage: string;
  restartable: boolean;
  stoppable: boolean;
  abandonable: boolean;
  stepExecutionCount: number;
  version: number;
  startTime: string | null;
  endTime: string | null;
}
interface Step {
  id: number;
  stepName: string;
  jobName: string;
  status: string;
  readCount: number;
  writeCount: number;
  commitCount: number;
  rollbackCount: number;
  exitCode: string;
  exitMessage: string;
  context?: Record<string, unknown>;
}
interface Detail extends JobExecution {
  parameters: { name: string; type: string; value: string; identifying: boolean }[];
  context: Record<string, unknown>;
  steps: Step[];
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

const get = <T>(path: string) => server.request<T>('GET', path).then((r) => r.body);

/** What the server does before a launch: Batchyard's row and Spring's TASK_EXECUTION row. */
async function taskExecution(taskName: string): Promise<number> {
  const row = await executions.insertExecution(prisma, {
    taskName,
    status: 'RUNNING',
    arguments: ['--spring.batch.job.name=importJob'],
    properties: {},
    platformName: 'local',
    platformType: 'local',
  });
  return row.id;
}

const importJob: SpringJob = {
  name: 'importJob',
  params: [
    { name: 'run.id', type: 'java.lang.Long', value: '1', identifying: true },
    { name: 'input', type: 'java.lang.String', value: '/data/customers.csv', identifying: true },
    { name: 'day', type: 'java.time.LocalDate', value: '2026-11-30', identifying: true },
    { name: 'chunk', type: 'java.lang.Integer', value: '10', identifying: false },
  ],
  steps: [
    { name: 'load', items: 95, chunkSize: 10 },
    { name: 'report', items: 3, chunkSize: 5 },
  ],
};

describe('a Spring Batch app run, read through the API', () => {
  let taskId: number;
  let run: Awaited<ReturnType<typeof runJob>>;
  beforeAll(async () => {
    taskId = await taskExecution('import');
    const c = await pool.connect();
    try {
      run = await runTask(c, { taskExecutionId: taskId, taskName: 'import' }, () =>
        runJob(c, taskId, importJob),
      );
    } finally {
      c.release();
    }
  });

  it('lists the job execution, linked to its task execution through TASK_TASK_BATCH', async () => {
    const page = await get<{ items: JobExecution[] }>(`/jobs/executions?taskExecutionId=${taskId}`);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      id: run.jobExecutionId,
      jobInstanceId: run.jobInstanceId,
      jobName: 'importJob',
      taskExecutionId: taskId,
      status: 'COMPLETED',
      exitCode: 'COMPLETED',
      stepExecutionCount: 2,
      restartable: false,
      stoppable: false,
    });
    expect((await get<{ jobExecutionIds: number[] }>(`/tasks/executions/${taskId}`)).jobExecutionIds).toEqual(
      [run.jobExecutionId],
    );
  });

  it('shows parameters with their types, the job context and every step with its counters and context', async () => {
    const d = await get<Detail>(`/jobs/executions/${run.jobExecutionId}`);
    expect(d.parameters).toEqual([
      { name: 'chunk', type: 'NUMBER', value: '10', identifying: false },
      { name: 'day', type: 'DATE', value: '2026-11-30T00:00:00.000Z', identifying: true },
      { name: 'input', type: 'STRING', value: '/data/customers.csv', identifying: true },
      { name: 'run.id', type: 'NUMBER', value: '1', identifying: true },
    ]);
    expect(d.context).toEqual({ 'batch.version': '5.2.2' });
    expect(d.startTime).not.toBeNull();
    expect(d.steps.map((s) => [s.stepName, s.status, s.readCount, s.writeCount, s.commitCount])).toEqual([
      ['load', 'COMPLETED', 95, 95, 10],
      ['report', 'COMPLETED', 3, 3, 1],
    ]);
    expect(d.steps[0]?.context).toEqual({
      'batch.taskletType': 'org.springframework.batch.core.step.item.ChunkOrientedTasklet',
      'reader.read.count': 95,
    });
    const step = await get<Step>(`/jobs/executions/${run.jobExecutionId}/steps/${d.steps[0]?.id}`);
    expect(step).toMatchObject({ jobName: 'importJob', stepName: 'load', exitCode: 'COMPLETED' });
  });

  it('keys the instance by the MD5 Spring computed', async () => {
    const inst = await get<{ jobKey: string; executions: JobExecution[] }>(
      `/jobs/instances/${run.jobInstanceId}`,
    );
    expect(inst.jobKey).toBe(jobKey(importJob.params));
    expect(inst.executions.map((e) => e.id)).toEqual([run.jobExecutionId]);
  });

  it('keeps what the app wrote in TASK_EXECUTION for the reconciler (exit message, no error)', async () => {
    const rec = await executions.springRecord(prisma, taskId);
    expect(rec).toMatchObject({
      taskName: 'import',
      exitCode: 0,
      exitMessage: 'COMPLETED',
      errorMessage: null,
    });
    expect(rec?.startTime).toBeInstanceOf(Date);
    expect(rec?.endTime).toBeInstanceOf(Date);
  });
});

describe('a failure and its restart, as Spring Batch records them', () => {
  const settle: SpringJob = {
    name: 'settleJob',
    params: [{ name: 'run.id', type: 'java.lang.Long', value: '7', identifying: true }],
    steps: [
      { name: 'prepare', items: 2, chunkSize: 2 },
      { name: 'load', items: 95, chunkSize: 10, failAt: 57 },
    ],
  };
  let first: Awaited<ReturnType<typeof runJob>>;
  let second: Awaited<ReturnType<typeof runJob>>;
  let firstTask: number;
  beforeAll(async () => {
    firstTask = await taskExecution('settle');
    first = await runTask(pool, { taskExecutionId: firstTask, taskName: 'settle' }, () =>
      runJob(pool, firstTask, settle),
    );
  });

  it('shows the failed execution with its exception, restartable and abandonable', async () => {
    const d = await get<Detail>(`/jobs/executions/${first.jobExecutionId}`);
    expect(d).toMatchObject({ status: 'FAILED', exitCode: 'FAILED', restartable: true, abandonable: true });
    expect(d.exitMessage).toContain('java.lang.IllegalStateException: bad item 57');
    const load = d.steps.find((s) => s.stepName === 'load');
    expect(load).toMatchObject({
      status: 'FAILED',
      readCount: 50,
      writeCount: 50,
      commitCount: 5,
      rollbackCount: 1,
    });
    expect(load?.context).toMatchObject({ 'reader.read.count': 50 });
    expect((await executions.springRecord(prisma, firstTask))?.errorMessage).toContain('bad item 57');
  });

  it('a restart (same identifying parameters) is a new execution of the same instance, resuming the failed step', async () => {
    const again = await taskExecution('settle');
    second = await runTask(pool, { taskExecutionId: again, taskName: 'settle' }, () =>
      runJob(pool, again, { ...settle, steps: settle.steps.map((s) => ({ ...s, failAt: undefined })) }),
    );
    expect(second.jobInstanceId).toBe(first.jobInstanceId);
    const d = await get<Detail>(`/jobs/executions/${second.jobExecutionId}`);
    expect(d.status).toBe('COMPLETED');
    // The completed step is not run again; the failed one read only what was not committed.
    expect(d.steps.map((s) => [s.stepName, s.readCount])).toEqual([['load', 45]]);
    const old = await get<JobExecution>(`/jobs/executions/${first.jobExecutionId}`);
    expect(old.restartable).toBe(false); // no longer the newest of its instance
    const loadId = d.steps[0]?.id;
    const progress = await get<{
      finished: boolean;
      stepExecutionHistory: { count: number; readCount: { max: number } };
    }>(`/jobs/executions/${second.jobExecutionId}/steps/${loadId}/progress`);
    const history = progress.stepExecutionHistory;
    expect(progress.finished).toBe(true);
    expect(history).toMatchObject({ count: 2, readCount: { max: 50 } });
  });
});

describe('stop and abandon, through the API, as the Spring app sees them', () => {
  it('stop writes STOPPING with a new VERSION; the app sees it at its next chunk and ends STOPPED; abandon ends the instance', async () => {
    const taskId = await taskExecution('longrun');
    const job: SpringJob = {
      name: 'longJob',
      params: [{ name: 'run.id', type: 'java.lang.Long', value: '1', identifying: true }],
      steps: [{ name: 'work', items: 100, chunkSize: 10 }],
    };
    let stopStatus = 0;
    const result = await runJob(pool, taskId, job, {
      afterChunk: async ({ jobExecutionId, position }) => {
        if (position !== 30) return;
        const running = await get<JobExecution>(`/jobs/executions/${jobExecutionId}`);
        expect(running).toMatchObject({ status: 'STARTED', stoppable: true });
        stopStatus = (await server.request('PUT', `/jobs/executions/${jobExecutionId}/stop`)).status;
      },
    });
    expect(stopStatus).toBe(200);
    expect(result.status).toBe('STOPPED');
    const d = await get<Detail>(`/jobs/executions/${result.jobExecutionId}`);
    expect(d).toMatchObject({ status: 'STOPPED', exitCode: 'STOPPED', abandonable: true, restartable: true });
    expect(d.steps[0]).toMatchObject({ status: 'STOPPED', readCount: 30 });
    expect((await server.request('PUT', `/jobs/executions/${result.jobExecutionId}/abandon`)).status).toBe(
      200,
    );
    expect((await get<JobExecution>(`/jobs/executions/${result.jobExecutionId}`)).status).toBe('ABANDONED');
    // Spring Batch refuses to restart an abandoned instance.
    await expect(runJob(pool, undefined, job)).rejects.toThrow(/abandoned/);
  });

  it('the batch series on /metrics count the Java jobs', async () => {
    const text = await fetch(`${server.url}/metrics`).then((r) => r.text());
    expect(text).toMatch(
      /batchyard_batch_job_executions\{[^}]*job_name="importJob"[^}]*status="COMPLETED"[^}]*\} 1/,
    );
  });
});

describe('contexts an app wrote with Java serialization (Spring Batch 5/6 default serializer)', () => {
  it('show as a marker with the classes of the stream, in the job, its steps and one step', async () => {
    const taskId = await taskExecution('java-contexts');
    const c = await pool.connect();
    let run: Awaited<ReturnType<typeof runJob>>;
    try {
      run = await runTask(c, { taskExecutionId: taskId, taskName: 'java-contexts' }, () =>
        runJob(c, taskId, { ...importJob, name: 'javaContextJob' }),
      );
      // What DefaultExecutionContextSerializer leaves in the columns instead of Jackson's JSON.
      const java = javaSerializedContext({ 'batch.version': '5.2.2', 'reader.read.count': { long: 95 } });
      await c.query(
        'UPDATE BATCH_JOB_EXECUTION_CONTEXT SET SHORT_CONTEXT = $1, SERIALIZED_CONTEXT = NULL WHERE JOB_EXECUTION_ID = $2',
        [java, run.jobExecutionId],
      );
      await c.query(
        `UPDATE BATCH_STEP_EXECUTION_CONTEXT SET SHORT_CONTEXT = $1, SERIALIZED_CONTEXT = $2 WHERE STEP_EXECUTION_ID IN
           (SELECT STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION WHERE JOB_EXECUTION_ID = $3)`,
        [`${java.slice(0, 20)} ...`, java, run.jobExecutionId],
      );
    } finally {
      c.release();
    }
    const marker = {
      _serialized: 'java',
      bytes: expect.any(Number),
      classes: ['java.util.HashMap', 'java.lang.Long', 'java.lang.Number'],
    };
    const detail = await server.request<Detail>('GET', `/jobs/executions/${run.jobExecutionId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.context).toEqual(marker);
    expect(detail.body.steps.map((s) => s.context)).toEqual([marker, marker]);
    const step = await server.request<Step>(
      'GET',
      `/jobs/executions/${run.jobExecutionId}/steps/${detail.body.steps[0]!.id}`,
    );
    expect(step.status).toBe(200);
    expect(step.body.context).toEqual(marker);
    const steps = await server.request('GET', `/jobs/executions/${run.jobExecutionId}/steps`);
    expect(steps.status).toBe(200);
  });
});
