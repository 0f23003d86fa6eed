import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, TestServer } from './harness.js';
import { runSample, startSampleServer, type TaskRun, until, waitForTask } from './sample-runs.js';

interface JobExecution {
  id: number;
  jobInstanceId: number;
  jobName: string;
  taskExecutionId: number | null;
  status: string;
  exitCode: string;
  restartable: boolean;
  stoppable: boolean;
  abandonable: boolean;
  stepExecutionCount: number;
}
interface Step {
  id: number;
  stepName: string;
  status: string;
  readCount: number;
  writeCount: number;
  commitCount: number;
  readSkipCount: number;
  context?: Record<string, unknown>;
}
interface Detail extends JobExecution {
  parameters: { name: string; type: string; value: string; identifying: boolean }[];
  context: Record<string, unknown>;
  steps: Step[];
}
interface Stat {
  count: number;
  min: number;
  max: number;
  mean: number;
  standardDeviation: number;
}
type History = Record<string, Stat> & { count?: unknown };
interface Page<T> {
  items: T[];
  page: { size: number; next: string | null; total?: number };
}

let server: TestServer;
let pool: pg.Pool;
const completed: TaskRun[] = [];
let failed: TaskRun;

// Real executions: the sample job runs as a child process of the server's local platform.
beforeAll(async () => {
  server = await startSampleServer();
  pool = new pg.Pool({ connectionString: server.db.url });
  for (const [rows, seed] of [
    [300, 101],
    [500, 102],
    [800, 103],
  ]) {
    completed.push(await runSample(server, [`rows=${rows}`, `seed=${seed}`, '--chunkSize=50']));
  }
  failed = await runSample(server, ['rows=400', 'seed=104', '--failAt=250']);
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await server?.close();
});

const get = <T>(path: string) => server.request<T>('GET', path);

describe('job executions API over sample runs', () => {
  it('links task executions to their job executions and shows the detail', async () => {
    for (const run of completed) expect(run).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    expect(failed.status).toBe('FAILED');
    const jobId = completed[0]!.jobExecutionIds[0]!;
    const { status, body } = await get<Detail>(`/jobs/executions/${jobId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: jobId,
      jobName: 'settlement',
      taskExecutionId: completed[0]!.id,
      status: 'COMPLETED',
      exitCode: 'COMPLETED',
      restartable: false,
      stoppable: false,
      abandonable: false,
      stepExecutionCount: 2,
    });
    // Arguments without a type suffix reach the job as strings (the worker's rule).
    expect(body.parameters).toContainEqual({ name: 'rows', type: 'STRING', value: '300', identifying: true });
    expect(body.parameters).toContainEqual(
      expect.objectContaining({ name: 'chunkSize', identifying: false }),
    );
    expect(body.steps.map((s) => s.stepName)).toEqual(['prepare', 'settle']);
    const settle = body.steps[1]!;
    expect(settle.readCount + settle.readSkipCount).toBe(300);
    expect(settle.context).toBeTypeOf('object');
    const one = await get<Step>(`/jobs/executions/${jobId}/steps/${settle.id}`);
    expect(one.body).toMatchObject({ id: settle.id, readCount: settle.readCount });
    const list = await get<Step[]>(`/jobs/executions/${jobId}/steps`);
    expect(list.body.map((s) => s.id)).toEqual(body.steps.map((s) => s.id));
  });

  it('filters by name, status, task execution and date, and pages with a cursor', async () => {
    const all = await get<Page<JobExecution>>('/jobs/executions?name=settlement&total=true');
    expect(all.body.page.total).toBe(4);
    expect(all.body.items.map((e) => e.id)).toEqual(
      [...all.body.items.map((e) => e.id)].sort((a, b) => b - a),
    );
    const byFailed = await get<Page<JobExecution>>('/jobs/executions?status=FAILED');
    expect(byFailed.body.items.map((e) => e.id)).toEqual(failed.jobExecutionIds);
    expect(byFailed.body.items[0]).toMatchObject({ restartable: true, abandonable: true, stoppable: false });
    const byTask = await get<Page<JobExecution>>(`/jobs/executions?taskExecutionId=${completed[1]!.id}`);
    expect(byTask.body.items.map((e) => e.id)).toEqual(completed[1]!.jobExecutionIds);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await get<Page<JobExecution>>(`/jobs/executions?from=${future}`)).body.items).toEqual([]);
    expect((await get<Page<JobExecution>>('/jobs/executions?name=other')).body.items).toEqual([]);

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<JobExecution> = (
        await get<Page<JobExecution>>(`/jobs/executions?size=3${cursor ? `&cursor=${cursor}` : ''}`)
      ).body;
      seen.push(...page.items.map((e) => e.id));
      cursor = page.page.next;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((e) => e.id));
  });

  it('step history matches statistics computed here from the step rows', async () => {
    const jobId = completed[2]!.jobExecutionIds[0]!;
    const detail = (await get<Detail>(`/jobs/executions/${jobId}`)).body;
    const settle = detail.steps.find((s) => s.stepName === 'settle')!;
    const r = await get<Record<string, unknown> & { stepExecutionHistory: History }>(
      `/jobs/executions/${jobId}/steps/${settle.id}/progress`,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ finished: true, percentageComplete: 1, percentCompleteBasis: 'ENDTIME' });
    const { rows } = await pool.query<Record<string, number | Date>>(
      `SELECT * FROM batch_step_execution
        WHERE job_execution_id IN (SELECT job_execution_id FROM batch_job_execution JOIN batch_job_instance USING (job_instance_id) WHERE job_name = 'settlement') AND step_name = 'settle'
          AND status IN ('COMPLETED', 'FAILED', 'STOPPED', 'ABANDONED') AND end_time IS NOT NULL`,
    );
    expect(rows.length).toBe(4); // three completed runs and the failed one
    const ms = (row: Record<string, number | Date>) =>
      (row.end_time as Date).getTime() - (row.start_time as Date).getTime();
    const series: Record<string, number[]> = {
      commitCount: rows.map((x) => Number(x.commit_count)),
      rollbackCount: rows.map((x) => Number(x.rollback_count)),
      readCount: rows.map((x) => Number(x.read_count)),
      writeCount: rows.map((x) => Number(x.write_count)),
      filterCount: rows.map((x) => Number(x.filter_count)),
      readSkipCount: rows.map((x) => Number(x.read_skip_count)),
      writeSkipCount: rows.map((x) => Number(x.write_skip_count)),
      processSkipCount: rows.map((x) => Number(x.process_skip_count)),
      duration: rows.map(ms),
      durationPerRead: rows.filter((x) => Number(x.read_count) > 0).map((x) => ms(x) / Number(x.read_count)),
    };
    const h = r.body.stepExecutionHistory;
    expect(h).toMatchObject({ jobName: 'settlement', stepName: 'settle', count: 4 });
    for (const [field, values] of Object.entries(series)) {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      const got = h[field]!;
      expect(got.count, field).toBe(values.length);
      expect(got.min, field).toBeCloseTo(Math.min(...values), 6);
      expect(got.max, field).toBeCloseTo(Math.max(...values), 6);
      expect(got.mean, field).toBeCloseTo(mean, 6);
      expect(got.standardDeviation, field).toBeCloseTo(sd, 6);
    }
    expect(h.readCount!.standardDeviation).toBeGreaterThan(0);
  });

  it('names the bad field with a 4xx', async () => {
    for (const [path, field] of [
      ['/jobs/executions?size=0', 'query.size'],
      ['/jobs/executions?status=DONE', 'query.status'],
      ['/jobs/executions?from=yesterday', 'query.from'],
      ['/jobs/executions?cursor=nonsense', 'query.cursor'],
      ['/jobs/executions/abc', 'params.id'],
      ['/jobs/executions/1/steps/x/progress', 'params.stepId'],
    ] as const) {
      const r = await get<ErrorBody>(path);
      expect(r.status, path).toBe(400);
      expect(r.body.details.map((d) => d.path)).toContain(field);
    }
    expect((await get<ErrorBody>('/jobs/executions/999999')).status).toBe(404);
    expect((await get<ErrorBody>('/jobs/executions/1/steps/999999')).status).toBe(404);
    expect((await get<ErrorBody>('/jobs/instances/999999')).status).toBe(404);
  });

  it('restarts a failed execution by relaunching its task: same instance, new execution', async () => {
    const first = failed.jobExecutionIds[0]!;
    const before = (await get<Detail>(`/jobs/executions/${first}`)).body;
    const restart = await server.request<TaskRun>('PUT', `/jobs/executions/${first}/restart`);
    expect(restart.status).toBe(201);
    expect(restart.body.arguments).toEqual(failed.arguments);
    const rerun = await waitForTask(server, restart.body.id);
    // Same arguments, so the injected failure strikes again, but in a new execution of the same instance.
    expect(rerun.status).toBe('FAILED');
    const second = (await get<Detail>(`/jobs/executions/${rerun.jobExecutionIds[0]}`)).body;
    expect(second.jobInstanceId).toBe(before.jobInstanceId);
    expect(second.id).toBeGreaterThan(first);
    // The completed `prepare` step is not re-run on restart.
    expect(second.steps.map((s) => s.stepName)).toEqual(['settle']);
    const instance = await get<{ id: number; executions: JobExecution[] }>(
      `/jobs/instances/${before.jobInstanceId}`,
    );
    expect(instance.body.executions.map((e) => e.id)).toEqual([second.id, first]);
    // Only the newest attempt is restartable.
    expect(instance.body.executions[1]!.restartable).toBe(false);
    expect((await server.request<ErrorBody>('PUT', `/jobs/executions/${first}/restart`)).status).toBe(409);
    const done = completed[0]!.jobExecutionIds[0]!;
    expect((await server.request<ErrorBody>('PUT', `/jobs/executions/${done}/restart`)).status).toBe(409);
    const instances = await get<Page<{ id: number; jobName: string }>>('/jobs/instances?name=settlement');
    expect(instances.body.items).toHaveLength(4);
  });

  it('restarts a job execution once: a second restart while the first is in flight is refused', async () => {
    const again = await runSample(server, ['rows=400', 'seed=106', '--failAt=250']);
    const id = again.jobExecutionIds[0]!;
    const [a, b] = await Promise.all([
      server.request<TaskRun & ErrorBody>('PUT', `/jobs/executions/${id}/restart`),
      server.request<TaskRun & ErrorBody>('PUT', `/jobs/executions/${id}/restart`),
    ]);
    expect([a.status, b.status].sort(), JSON.stringify([a.body, b.body])).toEqual([201, 409]);
    const [won, lost] = a.status === 201 ? [a, b] : [b, a];
    expect(lost.body.message).toContain(`task execution ${won.body.id}`);
    const rerun = await waitForTask(server, won.body.id);
    expect(rerun.status).toBe('FAILED');
    // Once the restart has run, the old execution is no longer the newest of its instance.
    expect((await server.request<ErrorBody>('PUT', `/jobs/executions/${id}/restart`)).status).toBe(409);
    // The new one is restartable, exactly once again.
    const newest = rerun.jobExecutionIds[0]!;
    const third = await server.request<TaskRun>('PUT', `/jobs/executions/${newest}/restart`);
    expect(third.status).toBe(201);
    await waitForTask(server, third.body.id);
  });

  it('stops a running job cooperatively, then abandons it', async () => {
    const launch = await server.request<TaskRun>('POST', '/tasks/executions', {
      name: 'settle-demo',
      arguments: ['rows=3000', 'seed=105', '--chunkSize=50', '--delayMs=3'],
    });
    const running = await until(
      () => get<Page<JobExecution>>(`/jobs/executions?taskExecutionId=${launch.body.id}`),
      (r) => r.body.items[0]?.status === 'STARTED',
      'job STARTED',
    );
    const id = running.body.items[0]!.id;
    const settle = await until(
      () => get<Detail>(`/jobs/executions/${id}`),
      (r) => (r.body.steps.find((s) => s.stepName === 'settle')?.commitCount ?? 0) > 0,
      'a committed chunk',
    );
    expect(settle.body.stoppable).toBe(true);
    const stepId = settle.body.steps.find((s) => s.stepName === 'settle')!.id;
    const progress = await get<{
      finished: boolean;
      percentageComplete: number;
      percentCompleteBasis: string;
    }>(`/jobs/executions/${id}/steps/${stepId}/progress`);
    expect(progress.body).toMatchObject({ finished: false, percentCompleteBasis: 'READCOUNT' });
    expect(progress.body.percentageComplete).toBeGreaterThan(0);

    const stop = await server.request<JobExecution>('PUT', `/jobs/executions/${id}/stop`);
    expect(stop.status).toBe(200);
    expect(stop.body.status).toBe('STOPPING');
    expect((await server.request<ErrorBody>('PUT', `/jobs/executions/${id}/stop`)).status).toBe(409);
    await waitForTask(server, launch.body.id);
    const stopped = (await get<Detail>(`/jobs/executions/${id}`)).body;
    expect(stopped).toMatchObject({ status: 'STOPPED', restartable: true, abandonable: true });
    const settleStopped = stopped.steps.find((s) => s.stepName === 'settle')!;
    expect(settleStopped.readCount).toBeLessThan(3000);

    const abandoned = await server.request<JobExecution>('PUT', `/jobs/executions/${id}/abandon`);
    expect(abandoned.body).toMatchObject({ status: 'ABANDONED', restartable: false, abandonable: false });
    expect((await server.request<ErrorBody>('PUT', `/jobs/executions/${id}/abandon`)).status).toBe(409);
    const done = completed[0]!.jobExecutionIds[0]!;
    expect((await server.request<ErrorBody>('PUT', `/jobs/executions/${done}/abandon`)).status).toBe(409);
  }, 60_000);
});
