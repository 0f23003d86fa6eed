import { createHash } from 'node:crypto';
import { springJobKeyText } from '@batchyard/core';
import type { Db } from './db.js';

/**
 * A composed task's run as the batch job SCDF showed: its composed task runner was a Spring Batch
 * app, so a composed run appeared in /jobs/executions as a job named after the definition, one step
 * per child task. Batchyard has no runner, so the orchestrator (the only writer of these rows)
 * projects the run into Spring's tables: the instance keyed by `run.id` = the first execution of a
 * restart chain (a restart is a new execution of the same instance, as SCDF's restart of the
 * runner's job), the execution linked to the parent in TASK_TASK_BATCH, a step per child. Every
 * call brings the rows up to date and is idempotent; VERSION moves with each change.
 */

export interface ComposedStepRow {
  /** The child's task name (`<composed>-<label>`). */
  name: string;
  status: string;
  exitCode: string;
  exitMessage: string;
  startTime: Date | null;
  endTime: Date | null;
}

export interface ComposedRun {
  /** The composed parent's execution (TASK_EXECUTION_ID). */
  executionId: number;
  jobName: string;
  /** The first execution of the restart chain: the instance's identifying `run.id`. */
  runId: number;
  status: string;
  exitCode: string;
  exitMessage: string;
  startTime: Date | null;
  endTime: Date | null;
  steps: ComposedStepRow[];
}

/** The sequences ids come from (the configured table prefix's). */
export interface BatchSequences {
  jobInstance: string;
  jobExecution: string;
  stepExecution: string;
}

const EMPTY_CONTEXT = '{"@class":"java.util.HashMap"}';
const utc = (d: Date | null) => d?.toISOString() ?? null;

export async function syncComposedJob(db: Db, run: ComposedRun, seq: BatchSequences): Promise<number> {
  const linked = await db.$queryRaw<{ id: bigint }[]>`
    SELECT t.job_execution_id AS id FROM task_task_batch t
     WHERE t.task_execution_id = ${run.executionId} ORDER BY t.job_execution_id LIMIT 1`;
  let jobExecutionId = linked[0] ? Number(linked[0].id) : undefined;
  if (jobExecutionId === undefined) {
    const key = createHash('md5')
      .update(springJobKeyText([{ name: 'run.id', value: run.runId, identifying: true }]), 'utf8')
      .digest('hex');
    await db.$executeRaw`
      INSERT INTO batch_job_instance (job_instance_id, version, job_name, job_key)
      VALUES (nextval(${seq.jobInstance}::text::regclass), 0, ${run.jobName.slice(0, 100)}, ${key})
      ON CONFLICT (job_name, job_key) DO NOTHING`;
    const created = await db.$queryRaw<{ id: bigint }[]>`
      WITH i AS (SELECT job_instance_id FROM batch_job_instance WHERE job_name = ${run.jobName.slice(0, 100)}
                  AND job_key = ${key}),
      je AS (
        INSERT INTO batch_job_execution (job_execution_id, version, job_instance_id, create_time, status,
                                         exit_code, exit_message, last_updated)
        SELECT nextval(${seq.jobExecution}::text::regclass), 0, job_instance_id,
               now() AT TIME ZONE 'UTC', 'STARTING', 'UNKNOWN', '', now() AT TIME ZONE 'UTC' FROM i
        RETURNING job_execution_id
      ), p AS (
        INSERT INTO batch_job_execution_params (job_execution_id, parameter_name, parameter_type,
                                                parameter_value, identifying)
        SELECT job_execution_id, 'run.id', 'java.lang.Long', ${String(run.runId)}, 'Y' FROM je
      ), c AS (
        INSERT INTO batch_job_execution_context (job_execution_id, short_context) SELECT job_execution_id, ${EMPTY_CONTEXT} FROM je
      ), l AS (
        INSERT INTO task_task_batch (task_execution_id, job_execution_id) SELECT ${run.executionId}, job_execution_id FROM je
      )
      SELECT job_execution_id AS id FROM je`;
    jobExecutionId = Number(created[0]!.id);
  }
  await db.$executeRaw`
    UPDATE batch_job_execution
       SET status = ${run.status}, exit_code = ${run.exitCode}, exit_message = ${run.exitMessage.slice(0, 2500)},
           start_time = ${utc(run.startTime)}::timestamptz AT TIME ZONE 'UTC',
           end_time = ${utc(run.endTime)}::timestamptz AT TIME ZONE 'UTC',
           version = version + 1, last_updated = now() AT TIME ZONE 'UTC'
     WHERE job_execution_id = ${jobExecutionId}
       AND (status IS DISTINCT FROM ${run.status} OR exit_code IS DISTINCT FROM ${run.exitCode}
            OR end_time IS DISTINCT FROM ${utc(run.endTime)}::timestamptz AT TIME ZONE 'UTC')`;
  for (const s of run.steps) {
    const updated = await db.$executeRaw`
      UPDATE batch_step_execution
         SET status = ${s.status}, exit_code = ${s.exitCode}, exit_message = ${s.exitMessage.slice(0, 2500)},
             start_time = ${utc(s.startTime)}::timestamptz AT TIME ZONE 'UTC',
             end_time = ${utc(s.endTime)}::timestamptz AT TIME ZONE 'UTC',
             commit_count = CASE WHEN ${s.status} = 'COMPLETED' THEN 1 ELSE 0 END,
             version = version + 1, last_updated = now() AT TIME ZONE 'UTC'
       WHERE job_execution_id = ${jobExecutionId} AND step_name = ${s.name.slice(0, 100)}`;
    if (updated > 0) continue;
    await db.$executeRaw`
      WITH se AS (
        INSERT INTO batch_step_execution (step_execution_id, version, step_name, job_execution_id, create_time,
          start_time, end_time, status, commit_count, read_count, filter_count, write_count, read_skip_count,
          write_skip_count, process_skip_count, rollback_count, exit_code, exit_message, last_updated)
        VALUES (nextval(${seq.stepExecution}::text::regclass), 0, ${s.name.slice(0, 100)}, ${jobExecutionId},
          now() AT TIME ZONE 'UTC', ${utc(s.startTime)}::timestamptz AT TIME ZONE 'UTC',
          ${utc(s.endTime)}::timestamptz AT TIME ZONE 'UTC', ${s.status},
          CASE WHEN ${s.status} = 'COMPLETED' THEN 1 ELSE 0 END, 0, 0, 0, 0, 0, 0, 0, ${s.exitCode},
          ${s.exitMessage.slice(0, 2500)}, now() AT TIME ZONE 'UTC')
        RETURNING step_execution_id
      )
      INSERT INTO batch_step_execution_context (step_execution_id, short_context)
      SELECT step_execution_id, ${EMPTY_CONTEXT} FROM se`;
  }
  return jobExecutionId;
}
