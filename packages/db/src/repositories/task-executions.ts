import type { Prisma, TaskExecution, TaskExecutionStatus } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export type { TaskExecution, TaskExecutionStatus } from '../generated/prisma/client.js';

const ALL: TaskExecutionStatus[] = [
  'QUEUED',
  'LAUNCHING',
  'PENDING',
  'RUNNING',
  'STOPPING',
  'COMPLETE',
  'FAILED',
  'STOPPED',
  'LOST',
];
export const ACTIVE: TaskExecutionStatus[] = ['LAUNCHING', 'PENDING', 'RUNNING', 'STOPPING'];
export const NON_TERMINAL: TaskExecutionStatus[] = ['QUEUED', ...ACTIVE];

export interface NewExecution {
  taskName: string;
  status: TaskExecutionStatus;
  arguments: string[];
  properties: Record<string, string>;
  platformName: string;
  platformType: string;
  parentExecutionId?: number | null;
  scheduleName?: string | null;
  restartOfJobExecutionId?: number | null;
  externalExecutionId?: string | null;
  /** Why a queued execution waits (e.g. ResourceQuota), with the details. */
  reason?: string | null;
  errorMessage?: string | null;
}

export const insertExecution = (db: Db, e: NewExecution): Promise<TaskExecution> =>
  db.taskExecution.create({
    data: {
      ...e,
      queuedAt: e.status === 'QUEUED' ? new Date() : null,
    },
  });

export const findExecution = (db: Db, id: number) => db.taskExecution.findUnique({ where: { id } });

export const findExecutions = (db: Db, ids: number[]) =>
  db.taskExecution.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });

export const findByExternalId = (db: Db, externalExecutionId: string) =>
  db.taskExecution.findUnique({ where: { externalExecutionId } });

export interface ExecutionFilter {
  taskName?: string;
  status?: TaskExecutionStatus;
  from?: Date;
  to?: Date;
  parentExecutionId?: number;
  olderThan?: Date;
}

function where(f: ExecutionFilter): Prisma.TaskExecutionWhereInput {
  return {
    ...(f.taskName ? { taskName: f.taskName } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.parentExecutionId ? { parentExecutionId: f.parentExecutionId } : {}),
    ...(f.from || f.to || f.olderThan
      ? {
          createdAt: {
            ...(f.from ? { gte: f.from } : {}),
            ...(f.to ? { lt: f.to } : {}),
            ...(f.olderThan ? { lt: f.olderThan } : {}),
          },
        }
      : {}),
  };
}

/** Newest first, keyset on id (the primary key orders creation). */
export const listExecutions = (db: Db, filter: ExecutionFilter, size: number, beforeId?: number) =>
  db.taskExecution.findMany({
    where: { ...where(filter), ...(beforeId ? { id: { lt: beforeId } } : {}) },
    orderBy: { id: 'desc' },
    take: size,
  });

export const countExecutions = (db: Db, filter: ExecutionFilter): Promise<number> =>
  db.taskExecution.count({ where: where(filter) });

export const executionIds = async (db: Db, filter: ExecutionFilter, limit: number): Promise<number[]> =>
  (
    await db.taskExecution.findMany({
      where: where(filter),
      select: { id: true },
      orderBy: { id: 'asc' },
      take: limit,
    })
  ).map((r) => r.id);

export type ExecutionChange = Partial<
  Pick<
    TaskExecution,
    | 'status'
    | 'exitCode'
    | 'exitMessage'
    | 'errorMessage'
    | 'reason'
    | 'startTime'
    | 'endTime'
    | 'externalExecutionId'
    | 'logTail'
  >
> & { manifest?: Prisma.InputJsonValue };

/**
 * Applies `change` only while the row is in one of `from`: the database, not the caller's
 * memory, decides whether a transition still applies (two reconcilers, a stop racing a
 * completion). Returns whether the row changed.
 */
export async function updateIfStatus(
  db: Db,
  id: number,
  from: readonly TaskExecutionStatus[],
  change: ExecutionChange,
): Promise<boolean> {
  const { count } = await db.taskExecution.updateMany({
    where: { id, status: { in: [...from] } },
    data: change,
  });
  return count === 1;
}

export const updateExecution = (db: Db, id: number, change: ExecutionChange) =>
  db.taskExecution.update({ where: { id }, data: change });

export async function activeCount(db: Db, platformName: string): Promise<number> {
  return db.taskExecution.count({ where: { platformName, status: { in: ACTIVE } } });
}

/** Puts claimed executions back in the queue (they keep their ids, so their order). */
export async function requeue(db: Db, ids: number[], reason: string, detail: string): Promise<void> {
  await db.taskExecution.updateMany({
    where: { id: { in: ids }, status: 'LAUNCHING' },
    data: { status: 'QUEUED', reason, errorMessage: detail },
  });
}

/** Executions holding capacity and waiting for it, in one scan of the (platform, status) index. */
export async function capacityCounts(
  db: Db,
  platformName: string,
): Promise<{ active: number; queued: number }> {
  const rows = await db.$queryRaw<{ active: number; queued: number }[]>`
    SELECT count(*) FILTER (WHERE status <> 'QUEUED')::int AS active,
           count(*) FILTER (WHERE status = 'QUEUED')::int AS queued
      FROM task_execution
     WHERE platform_name = ${platformName}
       AND status IN ('QUEUED', 'LAUNCHING', 'PENDING', 'RUNNING', 'STOPPING')`;
  return rows[0] ?? { active: 0, queued: 0 };
}

export async function countByStatus(db: Db, platformName: string): Promise<Map<TaskExecutionStatus, number>> {
  const rows = await db.taskExecution.groupBy({
    by: ['status'],
    where: { platformName, status: { in: NON_TERMINAL } },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.status, r._count._all]));
}

/**
 * Claims up to `limit` queued executions of a platform, oldest first, moving them to LAUNCHING.
 * SKIP LOCKED lets several dispatchers run without claiming the same row twice.
 */
export async function claimQueued(db: Db, platformName: string, limit: number): Promise<TaskExecution[]> {
  if (limit <= 0) return [];
  const ids = await db.$queryRaw<{ id: number }[]>`
    UPDATE task_execution SET status = 'LAUNCHING', updated_at = now()
     WHERE id IN (SELECT id FROM task_execution
                   WHERE platform_name = ${platformName} AND status = 'QUEUED'
                   ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id`;
  return findExecutions(
    db,
    ids.map((r) => r.id),
  );
}

export async function queuePosition(db: Db, e: Pick<TaskExecution, 'id' | 'platformName'>): Promise<number> {
  return (
    1 +
    (await db.taskExecution.count({
      where: { platformName: e.platformName, status: 'QUEUED', id: { lt: e.id } },
    }))
  );
}

export const nonTerminalExecutions = (db: Db, platformName: string) =>
  db.taskExecution.findMany({
    where: { platformName, status: { in: NON_TERMINAL } },
    orderBy: { id: 'asc' },
  });

export async function jobExecutionIds(db: Db, taskExecutionIds: number[]): Promise<Map<number, number[]>> {
  const rows = await db.taskBatch.findMany({
    where: { taskExecutionId: { in: taskExecutionIds } },
    orderBy: { jobExecutionId: 'asc' },
  });
  const map = new Map<number, number[]>();
  for (const r of rows) map.set(r.taskExecutionId, [...(map.get(r.taskExecutionId) ?? []), r.jobExecutionId]);
  return map;
}

/** Removes executions with their batch job executions (SCDF's REMOVE_DATA). */
export async function deleteExecutions(db: Db, ids: number[]): Promise<number> {
  const links = await db.taskBatch.findMany({
    where: { taskExecutionId: { in: ids } },
    select: { jobExecutionId: true },
  });
  await db.jobExecution.deleteMany({ where: { id: { in: links.map((l) => l.jobExecutionId) } } });
  const { count } = await db.taskExecution.deleteMany({ where: { id: { in: ids } } });
  return count;
}

export async function totalForTask(db: Db, taskName: string): Promise<number> {
  return db.taskExecution.count({ where: { taskName } });
}

export const ALL_STATUSES = ALL;

/**
 * Inserts the row for an adopted platform resource unless one with that external id exists.
 * Returns the new row, or undefined when another adopter won.
 */
export async function adoptExecution(db: Db, e: NewExecution): Promise<TaskExecution | undefined> {
  const rows = await db.$queryRaw<{ id: number }[]>`
    INSERT INTO task_execution (task_name, status, arguments, properties, platform_name, platform_type,
                                schedule_name, external_execution_id, updated_at)
    VALUES (${e.taskName}, ${e.status}::task_execution_status, ${JSON.stringify(e.arguments)}::jsonb,
            ${JSON.stringify(e.properties)}::jsonb, ${e.platformName}, ${e.platformType},
            ${e.scheduleName ?? null}, ${e.externalExecutionId ?? null}, now())
    ON CONFLICT (external_execution_id) DO NOTHING
    RETURNING id`;
  const id = rows[0]?.id;
  return id === undefined ? undefined : ((await findExecution(db, id)) ?? undefined);
}

/** A restart of this job execution that has not ended yet (launched, queued or running). */
export const liveRestartOf = (db: Db, jobExecutionId: number) =>
  db.taskExecution.findFirst({
    where: { restartOfJobExecutionId: jobExecutionId, status: { in: NON_TERMINAL } },
    select: { id: true, status: true },
  });
