import type { SqlClient } from '../model/api.js';

export interface RecoverTarget {
  /** Recover every running job execution linked (task_batch) to this task execution. */
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
  if (target.stepExecutionId !== undefined) {
    const r = await db.query(
      `UPDATE step_execution SET status = 'FAILED', exit_code = 'FAILED', exit_message = $3,
         end_time = $2, last_updated = $2, version = version + 1
       WHERE id = $1 AND status IN ${RUNNING} RETURNING id`,
      [target.stepExecutionId, now, message],
    );
    return { jobExecutionIds: [], stepExecutionIds: r.rows.map((row) => row.id as number) };
  }
  if (target.taskExecutionId === undefined && target.jobExecutionId === undefined) {
    throw new TypeError('recoverStaleExecutions needs taskExecutionId, jobExecutionId or stepExecutionId');
  }
  // One statement: atomic without needing a dedicated client for BEGIN/COMMIT.
  const r = await db.query(
    `WITH target AS (
       SELECT je.id FROM job_execution je
       WHERE je.status IN ${RUNNING}
         AND (je.id = $1 OR je.id IN (SELECT job_execution_id FROM task_batch WHERE task_execution_id = $2))
       FOR UPDATE
     ), steps AS (
       UPDATE step_execution SET status = 'FAILED', exit_code = 'FAILED', exit_message = $4,
         end_time = $3, last_updated = $3, version = version + 1
       WHERE job_execution_id IN (SELECT id FROM target) AND status IN ${RUNNING}
       RETURNING id
     ), jobs AS (
       UPDATE job_execution SET status = 'FAILED', exit_code = 'FAILED', exit_message = $4,
         end_time = $3, last_updated = $3, version = version + 1
       WHERE id IN (SELECT id FROM target)
       RETURNING id
     )
     SELECT 'job' AS kind, id FROM jobs UNION ALL SELECT 'step' AS kind, id FROM steps`,
    [target.jobExecutionId ?? null, target.taskExecutionId ?? null, now, message],
  );
  const ids = (kind: string) =>
    r.rows
      .filter((row) => row.kind === kind)
      .map((row) => row.id as number)
      .sort((a, b) => a - b);
  return { jobExecutionIds: ids('job'), stepExecutionIds: ids('step') };
}
