import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterValue, type ErrorBody, startTestServer, type TestServer } from './harness.js';
import { existingIds, historyCounts, seedHistory, sql } from './retention-support.js';

// Retention through the REST API over a real database: policies by age and by count, per-task
// overrides, what is never deleted, and the dry run against what a run then deletes.

interface Run {
  removed: Record<string, number>;
  tasks: { taskName: string; executions: number }[];
  batches: number;
}
interface Preview {
  tasks: { taskName: string; executions: number; jobExecutions: number; sampleIds: number[] }[];
  totals: { executions: number };
}

describe('retention', () => {
  let s: TestServer;
  const run = async () => {
    const r = await s.request<Run>('POST', '/tasks/retention/run');
    expect(r.status).toBe(200);
    return r.body;
  };
  const define = async (name: string) => {
    const r = await s.request('POST', '/tasks/definitions', { name, definition: 'settlement' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };

  beforeAll(async () => {
    s = await startTestServer({
      BATCHYARD_RETENTION_DAYS: '30',
      BATCHYARD_RETENTION_INTERVAL_SECONDS: '0',
      BATCHYARD_RETENTION_BATCH_SIZE: '3',
      BATCHYARD_RETENTION_PAUSE_MS: '0',
      BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
    });
    await s.request('POST', '/apps/task/settlement/1.0', { uri: 'docker:batchyard/worker-sample:1.0' });
  });
  afterAll(() => s.close());

  it('by age (the default): old finished executions go with their batch metadata, recent ones stay', async () => {
    const old = await seedHistory(s.db.url, { task: 'aged', count: 7, endedDaysAgo: 40, steps: 3 });
    const recent = await seedHistory(s.db.url, { task: 'aged', count: 2, endedDaysAgo: 10, steps: 3 });
    const before = await historyCounts(s.db.url);
    const r = await run();
    expect(r.removed).toEqual({ task_execution: 7, job_execution: 7, step_execution: 21, job_instance: 7 });
    expect(r.batches).toBe(3); // batches of 3: 3 + 3 + 1
    expect(await existingIds(s.db.url, [...old, ...recent])).toEqual(recent);
    const after = await historyCounts(s.db.url);
    const removedPer = Object.fromEntries(Object.entries(before).map(([t, n]) => [t, n - (after[t] ?? 0)]));
    expect(removedPer).toEqual({
      batchyard_task_execution: 7,
      task_execution: 7,
      task_execution_params: 7,
      task_task_batch: 7,
      batch_job_instance: 7,
      batch_job_execution: 7,
      batch_job_execution_params: 7,
      batch_job_execution_context: 7,
      batch_step_execution: 21,
      batch_step_execution_context: 21,
    });
    expect(await counterValue(s, 'batchyard_retention_deleted_total', { kind: 'step_execution' })).toBe(21);
    // The trigger-kept totals behind /metrics lose what retention removed.
    expect(
      await counterValue(s, 'batchyard_batch_step_finished', { job_name: 'aged-job', step_name: 'step1' }),
    ).toBe(2);
    expect(await counterValue(s, 'batchyard_batch_job_executions', { job_name: 'aged-job' })).toBe(2);
    expect(await counterValue(s, 'batchyard_task_executions', { status: 'COMPLETE' })).toBe(2);
    const metrics = await s.request<string>('GET', '/metrics');
    expect(metrics.body).toMatch(/batchyard_retention_last_run_timestamp_seconds [1-9]/);
    expect(metrics.body).toMatch(/batchyard_retention_last_run_duration_seconds \d/);
  });

  it('per-task override: keepLast keeps the newest N; days: null keeps everything; 400 naming the field', async () => {
    await define('counted');
    await define('forever');
    const counted = await seedHistory(s.db.url, { task: 'counted', count: 6, endedDaysAgo: 1 });
    const forever = await seedHistory(s.db.url, { task: 'forever', count: 3, endedDaysAgo: 400 });
    const set = await s.request<{ effective: unknown }>('PUT', '/tasks/definitions/counted/retention', {
      keepLast: 2,
    });
    expect(set.status).toBe(200);
    expect(set.body.effective).toEqual({ days: 30, keepLast: 2 });
    const lifted = await s.request<{ effective: unknown }>('PUT', '/tasks/definitions/forever/retention', {
      days: null,
    });
    expect(lifted.body.effective).toEqual({ days: null, keepLast: null });

    const zero = await s.request<ErrorBody>('PUT', '/tasks/definitions/counted/retention', { keepLast: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.details[0]!.path).toBe('body.keepLast');
    const unknown = await s.request<ErrorBody>('PUT', '/tasks/definitions/counted/retention', { weeks: 3 });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.details)).toContain('weeks');
    expect((await s.request('PUT', '/tasks/definitions/nothing-here/retention', { days: 3 })).status).toBe(
      404,
    );

    const r = await run();
    expect(r.tasks).toEqual([{ taskName: 'counted', executions: 4 }]);
    expect(await existingIds(s.db.url, counted)).toEqual(counted.slice(4));
    expect(await existingIds(s.db.url, forever)).toEqual(forever);

    const cleared = await s.request<{ override: unknown }>('DELETE', '/tasks/definitions/forever/retention');
    expect(cleared.body.override).toBeNull();
    await run();
    expect(await existingIds(s.db.url, forever)).toEqual([]);
  });

  it('never deletes a live execution, a composed parent with a live child, or a job instance still in use', async () => {
    const running = await seedHistory(s.db.url, {
      task: 'live',
      count: 2,
      endedDaysAgo: null,
      status: 'RUNNING',
    });
    await sql(
      s.db.url,
      `UPDATE batchyard_task_execution SET created_at = now() - interval '90 days' WHERE id = ANY($1)`,
      [running],
    );
    // Composed runs: the parents ended long ago; one has a child still running, one only finished children.
    const [liveParent] = await seedHistory(s.db.url, { task: 'flow', count: 1, endedDaysAgo: 50 });
    const [doneParent] = await seedHistory(s.db.url, { task: 'flow', count: 1, endedDaysAgo: 50 });
    const liveChild = await seedHistory(s.db.url, {
      task: 'flow-a',
      count: 1,
      endedDaysAgo: null,
      status: 'RUNNING',
      parentId: liveParent,
    });
    const doneChildren = await seedHistory(s.db.url, {
      task: 'flow-a',
      count: 2,
      endedDaysAgo: 50,
      parentId: doneParent,
    });
    // A restart: the old execution's job instance is also the instance of a recent, kept execution.
    const [oldRun] = await seedHistory(s.db.url, { task: 'restarted', count: 1, endedDaysAgo: 60 });
    const [newRun] = await seedHistory(s.db.url, { task: 'restarted', count: 1, endedDaysAgo: 1 });
    const instance = await sql(
      s.db.url,
      `UPDATE batch_job_execution SET job_instance_id = (
         SELECT e.job_instance_id FROM batch_job_execution e JOIN task_task_batch tb USING (job_execution_id)
          WHERE tb.task_execution_id = $1)
        WHERE job_execution_id = (SELECT job_execution_id FROM task_task_batch WHERE task_execution_id = $2)
       RETURNING job_instance_id`,
      [oldRun, newRun],
    );

    const r = await run();
    expect(Object.fromEntries(r.tasks.map((t) => [t.taskName, t.executions]))).toEqual({
      flow: 3,
      restarted: 1,
    });
    expect(await existingIds(s.db.url, running)).toEqual(running);
    expect(await existingIds(s.db.url, [liveParent!, ...liveChild])).toEqual([liveParent, ...liveChild]);
    expect(await existingIds(s.db.url, [doneParent!, ...doneChildren])).toEqual([]);
    expect(await existingIds(s.db.url, [oldRun!, newRun!])).toEqual([newRun]);
    const kept = await sql(s.db.url, 'SELECT 1 FROM batch_job_instance WHERE job_instance_id = $1', [
      instance.rows[0].job_instance_id,
    ]);
    expect(kept.rowCount).toBe(1);
  });

  it('the dry run lists exactly what the run then deletes', async () => {
    const a = await seedHistory(s.db.url, { task: 'preview-a', count: 8, endedDaysAgo: 31 });
    const b = await seedHistory(s.db.url, { task: 'preview-b', count: 5, endedDaysAgo: 45 });
    await seedHistory(s.db.url, { task: 'preview-b', count: 2, endedDaysAgo: 5 });
    const p = await s.request<Preview>('GET', '/tasks/retention/preview?sample=1000');
    expect(p.status).toBe(200);
    const listed = p.body.tasks.flatMap((t) => t.sampleIds).sort((x, y) => x - y);
    expect(listed).toEqual([...a, ...b]);
    expect(p.body.tasks.map((t) => [t.taskName, t.executions, t.jobExecutions])).toEqual([
      ['preview-a', 8, 8],
      ['preview-b', 5, 5],
    ]);
    const bad = await s.request<ErrorBody>('GET', '/tasks/retention/preview?sample=-1');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]!.path).toBe('query.sample');

    const r = await run();
    expect(r.tasks).toEqual(p.body.tasks.map((t) => ({ taskName: t.taskName, executions: t.executions })));
    expect(await existingIds(s.db.url, listed)).toEqual([]);
    const again = await s.request<Preview>('GET', '/tasks/retention/preview');
    expect(again.body.totals.executions).toBe(0);
  });
});
