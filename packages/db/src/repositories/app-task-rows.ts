import type { Db } from './db.js';

/**
 * A Spring app that was given no `spring.cloud.task.executionid` (a CronJob's run: no row exists
 * before the controller creates the Job) inserts its own TASK_EXECUTION row, tagged with the
 * `spring.cloud.task.external-execution-id` it was given — the Job's name. The execution the
 * reconciler adopted for that Job has a row of its own under Batchyard's id; this merges the
 * app's row into it, so the execution, its exit message and its batch jobs are one record:
 *
 * - while the app runs, its TASK_TASK_BATCH links move to the adopted id (Spring Cloud Task only
 *   ever inserts them, in beforeJob) and its start and arguments are copied;
 * - once the platform says the task ended (`final`), its end (exit code, exit message, error) is
 *   copied and the app's row is deleted. Not before: Spring Cloud Task's completeTaskExecution
 *   checks that its row still exists.
 *
 * Every statement is idempotent, so a second reconcile (or a second server) repeats it harmlessly.
 */

export interface MergedAppRows {
  /** The app's own TASK_EXECUTION_IDs found for the execution's Job. */
  appTaskExecutionIds: number[];
  /** Job executions whose task link moved to the execution. */
  movedJobExecutionIds: number[];
}

export async function mergeAppTaskRows(
  db: Db,
  executionId: number,
  externalId: string,
  final: boolean,
): Promise<MergedAppRows> {
  // The app's rows: same external id, not a Batchyard execution (those are rows the server created).
  const found = await db.$queryRaw<{ id: bigint }[]>`
    SELECT t.task_execution_id AS id FROM task_execution t
     WHERE t.external_execution_id = ${externalId} AND t.task_execution_id <> ${executionId}
       AND NOT EXISTS (SELECT 1 FROM batchyard_task_execution b WHERE b.id = t.task_execution_id)
     ORDER BY t.task_execution_id`;
  const ids = found.map((r) => Number(r.id));
  if (ids.length === 0) return { appTaskExecutionIds: [], movedJobExecutionIds: [] };
  const moved = await db.$queryRaw<{ id: bigint }[]>`
    WITH gone AS (
      DELETE FROM task_task_batch WHERE task_execution_id = ANY(${ids}::bigint[])
      RETURNING job_execution_id
    )
    INSERT INTO task_task_batch (task_execution_id, job_execution_id)
    SELECT DISTINCT ${executionId}::bigint, job_execution_id FROM gone
    ON CONFLICT DO NOTHING
    RETURNING job_execution_id AS id`;
  // The newest of the app's rows speaks for the run (a retried pod of the same Job writes another).
  const app = ids.at(-1)!;
  await db.$executeRaw`
    UPDATE task_execution x
       SET start_time = coalesce(x.start_time, a.start_time),
           parent_execution_id = coalesce(x.parent_execution_id, a.parent_execution_id),
           end_time = CASE WHEN ${final} THEN a.end_time ELSE x.end_time END,
           exit_code = CASE WHEN ${final} THEN a.exit_code ELSE x.exit_code END,
           exit_message = CASE WHEN ${final} THEN a.exit_message ELSE x.exit_message END,
           error_message = CASE WHEN ${final} THEN a.error_message ELSE x.error_message END,
           last_updated = greatest(x.last_updated, a.last_updated)
      FROM task_execution a
     WHERE x.task_execution_id = ${executionId} AND a.task_execution_id = ${app}`;
  // The arguments the app really ran with, when the adopted row has none of its own.
  await db.$executeRaw`
    INSERT INTO task_execution_params (task_execution_id, task_param)
    SELECT ${executionId}, task_param FROM task_execution_params
     WHERE task_execution_id = ${app}
       AND NOT EXISTS (SELECT 1 FROM task_execution_params WHERE task_execution_id = ${executionId})`;
  if (final) {
    await db.$executeRaw`DELETE FROM task_execution WHERE task_execution_id = ANY(${ids}::bigint[])`;
  }
  return { appTaskExecutionIds: ids, movedJobExecutionIds: moved.map((r) => Number(r.id)) };
}
