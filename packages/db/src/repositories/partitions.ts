import type { Db } from './db.js';
import type { TaskExecution } from './task-executions.js';

/**
 * Remote partitions as the control plane records them: a child task execution per partition step
 * execution of the parent's batch job, and per-execution task tokens (hashes only).
 */

/** A partition step execution of the job a task execution runs (linked through TASK_TASK_BATCH). */
export interface PartitionStepRow {
  id: number;
  jobExecutionId: number;
  stepName: string;
  status: string;
  exitCode: string;
  exitMessage: string;
  readCount: number;
  writeCount: number;
  commitCount: number;
}

/**
 * The step executions among `ids` that belong to a job execution `taskExecutionId` is linked to;
 * an id not returned is not this task's to launch.
 */
export async function stepsOfTask(
  db: Db,
  taskExecutionId: number,
  ids: number[],
): Promise<PartitionStepRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.$queryRaw<
    {
      id: bigint;
      job_execution_id: bigint;
      step_name: string;
      status: string;
      exit_code: string | null;
      exit_message: string | null;
      read_count: bigint | null;
      write_count: bigint | null;
      commit_count: bigint | null;
    }[]
  >`
    SELECT se.step_execution_id AS id, se.job_execution_id, se.step_name, se.status, se.exit_code,
           se.exit_message, se.read_count, se.write_count, se.commit_count
    FROM batch_step_execution se
    WHERE se.step_execution_id = ANY(${ids.map(BigInt)}::int8[])
      AND se.job_execution_id IN (
        SELECT job_execution_id FROM task_task_batch WHERE task_execution_id = ${taskExecutionId}::int8)`;
  return rows.map((r) => ({
    id: Number(r.id),
    jobExecutionId: Number(r.job_execution_id),
    stepName: r.step_name,
    status: r.status,
    exitCode: r.exit_code ?? '',
    exitMessage: r.exit_message ?? '',
    readCount: Number(r.read_count ?? 0),
    writeCount: Number(r.write_count ?? 0),
    commitCount: Number(r.commit_count ?? 0),
  }));
}

/** The child launched for a partition step execution, if any. */
export const childOf = (db: Db, stepExecutionId: number): Promise<TaskExecution | null> =>
  db.taskExecution.findUnique({ where: { partitionStepExecutionId: BigInt(stepExecutionId) } });

/** The partition children of a task execution, oldest first. */
export const childrenOf = (db: Db, parentExecutionId: number): Promise<TaskExecution[]> =>
  db.taskExecution.findMany({
    where: { parentExecutionId, partitionStepExecutionId: { not: null } },
    orderBy: { id: 'asc' },
  });

/** Mints (or replaces) the token of an execution: one token per execution. */
export async function saveTaskToken(
  db: Db,
  executionId: number,
  secretHash: string,
  expiresAt: Date,
): Promise<void> {
  await db.taskToken.upsert({
    where: { executionId },
    create: { executionId, secretHash, expiresAt },
    update: { secretHash, expiresAt, createdAt: new Date() },
  });
}

export interface TaskTokenRow {
  executionId: number;
  secretHash: string;
  expiresAt: Date;
  /** The execution's status now: a token stops working once its execution ended. */
  status: string;
}

export async function findTaskToken(db: Db, executionId: number): Promise<TaskTokenRow | undefined> {
  const row = await db.taskToken.findUnique({
    where: { executionId },
    include: { execution: { select: { status: true } } },
  });
  return row
    ? { executionId, secretHash: row.secretHash, expiresAt: row.expiresAt, status: row.execution.status }
    : undefined;
}

/** Tokens of ended executions are of no use: removed when the execution ends. */
export async function deleteTaskToken(db: Db, executionId: number): Promise<void> {
  await db.taskToken.deleteMany({ where: { executionId } });
}
