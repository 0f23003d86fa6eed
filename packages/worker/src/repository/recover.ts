import type { SqlClient } from '../model/api.js';

export interface RecoverTarget {
  /** Recover every running job execution linked (TASK_TASK_BATCH) to this task execution. */
  taskExecutionId?: number;
  /** Or one job execution directly. */
  jobExecutionId?: number;
  /**
   * Or one step execution only: a remote partition whose pod died while the manager (and so the
   * job) is still running. The job execution is left alone.
   */
  stepExecutionId?: number;
}

export interface RecoverOptions {
  /** End time to record (injected clock); default now. */
  now?: Date;
  /** Why: stored in exit_message, e.g. the pod's termination reason (OOMKilled). */
  reason?: string;
  /**
   * For a step execution only: STOPPED when its process was stopped on purpose (a partition stopped
   * before it could record the stop itself); FAILED otherwise (default).
   */
  status?: 'FAILED' | 'STOPPED';
}

export interface RecoverResult {
  jobExecutionIds: number[];
  stepExecutionIds: number[];
}

const RUNNING = `('STARTING', 'STARTED', 'STOPPING')`;

/**
 * Marks job executions left running by a process that died (SIGKILL, OOMKill, eviction) as
 * FAILED — and their running step executions too — with end time now and exit code FAILED, so
 * the JobInstance can be restarted and resumes from its last committed chunk. Idempotent: rows
 * that already ended are untouched. The control plane's reconciler calls this once the platform
 * reports the pod gone; it must not be called while the worker may still be alive.
 *
 * @example await recoverStaleExecutions(pool, { taskExecutionId: 42 }, { reason: 'OOMKilled' })
 */
export async function recoverStaleExecutions(
  db: SqlClient,
  target: RecoverTarget,
  options: RecoverOptions = {},
): Promise<RecoverResult> {
  const now = options.now ?? new Date();
  const message = `worker process ended without finishing the job${options.reason ? `: ${options.reason}` : ''}`;
  const ts = now.toISOString();
  if (target.stepExecutionId !== undefined) {
    const status = options.status ?? 'FAILED';
    const r = await db.query(
      `UPDATE batch_step_execution SET status = $4, exit_code = $4, exit_message = $3,
         end_time = $2::timestamp, last_updated = $2::timestamp, version = version + 1
       WHERE step_execution_id = $1 AND status IN ${RUNNING} RETURNING step_execution_id AS id`,
      [target.stepExecutionId, ts, message, status],
    );
    return { jobExecutionIds: [], stepExecutionIds: r.rows.map((row) => Number(row.id)) };
  }
  if (target.taskExecutionId === undefined && target.jobExecutionId === undefined) {
    throw new TypeError('recoverStaleExecutions needs taskExecutionId, jobExecutionId or stepExecutionId');
  }
  // One statement: atomic without needing a dedicated client for BEGIN/COMMIT.
  const r = await db.query(
    `WITH target AS (
       SELECT je.job_execution_id AS id FROM batch_job_execution je
       WHERE je.status IN ${RUNNING}
         AND (je.job_execution_id = $1::int8
              OR je.job_execution_id IN (SELECT job_execution_id FROM task_task_batch WHERE task_execution_id = $2::int8))
       FOR UPDATE
     ), steps AS (
       UPDATE batch_step_execution SET status = 'FAILED', exit_code = 'FAILED', exit_message = $4,
         end_time = $3::timestamp, last_updated = $3::timestamp, version = version + 1
       WHERE job_execution_id IN (SELECT id FROM target) AND status IN ${RUNNING}
       RETURNING step_execution_id AS id
     ), jobs AS (
       UPDATE batch_job_execution SET status = 'FAILED', exit_code = 'FAILED', exit_message = $4,
         end_time = $3::timestamp, last_updated = $3::timestamp, version = version + 1
       WHERE job_execution_id IN (SELECT id FROM target)
       RETURNING job_execution_id AS id
     )
     SELECT 'job' AS kind, id::float8 AS id FROM jobs UNION ALL SELECT 'step' AS kind, id::float8 AS id FROM steps`,
    [target.jobExecutionId ?? null, target.taskExecutionId ?? null, ts, message],
  );
  const ids = (kind: string) =>
    r.rows
      .filter((row) => row.kind === kind)
      .map((row) => Number(row.id))
      .sort((a, b) => a - b);
  return { jobExecutionIds: ids('job'), stepExecutionIds: ids('step') };
}
