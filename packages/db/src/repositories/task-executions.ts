import type { Prisma, PrismaClient, TaskExecution, TaskExecutionStatus } from '../generated/prisma/client.js';
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
  /** The unmasked request, sealed (see apps/server/src/secrets/launch-secrets.ts); null when nothing was masked. */
  sealedLaunch?: string | null;
  platformName: string;
  platformType: string;
  parentExecutionId?: number | null;
  scheduleName?: string | null;
  restartOfJobExecutionId?: number | null;
  /** A remote partition's child: the partition step execution it runs (unique). */
  partitionStepExecutionId?: number | null;
  externalExecutionId?: string | null;
  /** Why a queued execution waits (e.g. ResourceQuota), with the details. */
  reason?: string | null;
  errorMessage?: string | null;
}

/** Spring Cloud Task's TASK_NAME is VARCHAR(100), TASK_PARAM VARCHAR(2500). */
const springName = (name: string) => name.slice(0, 100);

const nextTaskId = async (db: Db): Promise<number> =>
  Number((await db.$queryRaw<{ id: bigint }[]>`SELECT batchyard_next_task_id() AS id`)[0]!.id);

/**
 * Inserts Batchyard's row and Spring Cloud Task's TASK_EXECUTION row (with the arguments in
 * TASK_EXECUTION_PARAMS) under one id from TASK_SEQ, in one transaction, as SCDF does before a
 * launch: the app is then given that id (--spring.cloud.task.executionid) and updates the row.
 */
export async function insertExecution(db: Db, e: NewExecution): Promise<TaskExecution> {
  const id = await nextTaskId(db);
  const spring = db.springTaskExecution.create({
    data: {
      id,
      taskName: springName(e.taskName),
      lastUpdated: new Date(),
      externalExecutionId: e.externalExecutionId ?? null,
      parentExecutionId: e.parentExecutionId ?? null,
    },
  });
  const params = db.$executeRaw`
    INSERT INTO task_execution_params (task_execution_id, task_param)
    SELECT ${id}, left(a, 2500) FROM unnest(${e.arguments}::text[]) WITH ORDINALITY AS u(a, o) ORDER BY o`;
  const { partitionStepExecutionId, ...fields } = e;
  const own = db.taskExecution.create({
    data: {
      ...fields,
      id,
      queuedAt: e.status === 'QUEUED' ? new Date() : null,
      partitionStepExecutionId:
        partitionStepExecutionId === undefined || partitionStepExecutionId === null
          ? null
          : BigInt(partitionStepExecutionId),
    },
  });
  // An interactive transaction's client also has $transaction (a batch outside it!): only the bare
  // client, which alone has $disconnect, batches; inside a transaction the statements join it.
  if ('$disconnect' in db) return (await (db as PrismaClient).$transaction([spring, params, own]))[2];
  await spring;
  await params;
  return own;
}

/**
 * Writes TASK_EXECUTION's start as Spring Cloud Task's startTaskExecution does, for an execution
 * Batchyard itself runs (a composed task's parent, which SCDF's composed task runner records).
 */
export async function recordSpringStart(db: Db, id: number, startTime: Date): Promise<void> {
  await db.springTaskExecution.updateMany({ where: { id }, data: { startTime, lastUpdated: startTime } });
}

/** Writes TASK_EXECUTION's end as Spring Cloud Task's completeTaskExecution does (see recordSpringStart). */
export async function recordSpringEnd(
  db: Db,
  id: number,
  end: { endTime: Date; exitCode: number; exitMessage: string; errorMessage: string | null },
): Promise<void> {
  await db.springTaskExecution.updateMany({
    where: { id },
    data: {
      endTime: end.endTime,
      exitCode: end.exitCode,
      exitMessage: end.exitMessage.slice(0, 2500),
      errorMessage: end.errorMessage?.slice(0, 2500) ?? null,
      lastUpdated: end.endTime,
    },
  });
}

/** What the app wrote in Spring Cloud Task's TASK_EXECUTION row (null when the row is gone). */
export async function springRecord(db: Db, id: number) {
  return db.springTaskExecution.findUnique({ where: { id } });
}

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

/** The list columns only (SCDF's thin executions): no arguments, properties, manifest or log tail. */
export const listThinExecutions = (db: Db, filter: ExecutionFilter, size: number, beforeId?: number) =>
  db.taskExecution.findMany({
    where: { ...where(filter), ...(beforeId !== undefined ? { id: { lt: beforeId } } : {}) },
    orderBy: { id: 'desc' },
    take: size,
    select: {
      id: true,
      taskName: true,
      status: true,
      parentExecutionId: true,
      exitCode: true,
      exitMessage: true,
      errorMessage: true,
      externalExecutionId: true,
      platformName: true,
      startTime: true,
      endTime: true,
    },
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
  if (count === 1) await syncExternalId(db, id, change);
  return count === 1;
}

export async function updateExecution(db: Db, id: number, change: ExecutionChange) {
  const row = await db.taskExecution.update({ where: { id }, data: change });
  await syncExternalId(db, id, change);
  return row;
}

/** Spring's row carries the platform's name too (SCDF's updateExternalExecutionId). */
async function syncExternalId(db: Db, id: number, change: ExecutionChange): Promise<void> {
  if (change.externalExecutionId === undefined) return;
  const externalExecutionId = change.externalExecutionId;
  await db.springTaskExecution.updateMany({
    where: { id, OR: [{ externalExecutionId: null }, { externalExecutionId: { not: externalExecutionId } }] },
    data: { externalExecutionId },
  });
}

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
      FROM batchyard_task_execution
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
    UPDATE batchyard_task_execution SET status = 'LAUNCHING', updated_at = now()
     WHERE id IN (SELECT id FROM batchyard_task_execution
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
  for (const r of rows) {
    const t = Number(r.taskExecutionId);
    map.set(t, [...(map.get(t) ?? []), Number(r.jobExecutionId)]);
  }
  return map;
}

/**
 * Removes executions with their batch job executions (SCDF's REMOVE_DATA): Spring's
 * TASK_EXECUTION rows (their params and TASK_TASK_BATCH links cascade) and the linked
 * BATCH_JOB_EXECUTIONs (their params, steps and contexts cascade).
 */
export async function deleteExecutions(db: Db, ids: number[]): Promise<number> {
  const links = await db.taskBatch.findMany({
    where: { taskExecutionId: { in: ids } },
    select: { jobExecutionId: true },
  });
  await db.jobExecution.deleteMany({ where: { id: { in: links.map((l) => l.jobExecutionId) } } });
  await db.springTaskExecution.deleteMany({ where: { id: { in: ids } } });
  const { count } = await db.taskExecution.deleteMany({ where: { id: { in: ids } } });
  return count;
}

export async function totalForTask(db: Db, taskName: string): Promise<number> {
  return db.taskExecution.count({ where: { taskName } });
}

/**
 * SCDF's `/tasks/info/executions` count: of one task or all, only finished ones (`completed`), and
 * only those that ended at least `endedBefore` ago (its `days`, the cleanup view).
 */
export async function countFinished(
  db: Db,
  f: { taskName?: string; completed?: boolean; endedBefore?: Date },
): Promise<number> {
  return db.taskExecution.count({
    where: {
      ...(f.taskName !== undefined ? { taskName: f.taskName } : {}),
      ...(f.completed || f.endedBefore
        ? { endTime: { not: null, ...(f.endedBefore ? { lte: f.endedBefore } : {}) } }
        : {}),
    },
  });
}

/** The newest execution of each named task (one indexed probe per name: task_name, id DESC). */
export async function latestExecutionsOf(db: Db, taskNames: string[]): Promise<TaskExecution[]> {
  if (taskNames.length === 0) return [];
  const ids = await db.$queryRaw<{ id: number }[]>`
    SELECT e.id FROM unnest(${taskNames}::text[]) AS n(name)
    CROSS JOIN LATERAL (SELECT id FROM batchyard_task_execution WHERE task_name = n.name ORDER BY id DESC LIMIT 1) e`;
  return db.taskExecution.findMany({ where: { id: { in: ids.map((r) => r.id) } } });
}

export const ALL_STATUSES = ALL;

/**
 * Inserts the row for an adopted platform resource unless one with that external id exists.
 * Returns the new row, or undefined when another adopter won.
 */
export async function adoptExecution(db: Db, e: NewExecution): Promise<TaskExecution | undefined> {
  // One statement, so Spring's row exists exactly when Batchyard's does (the adopter that lost
  // the race inserts neither; its TASK_SEQ value is simply skipped).
  const rows = await db.$queryRaw<{ id: number }[]>`
    WITH b AS (
      INSERT INTO batchyard_task_execution (id, task_name, status, arguments, properties, platform_name,
                                            platform_type, schedule_name, external_execution_id, updated_at)
      VALUES (batchyard_next_task_id(), ${e.taskName}, ${e.status}::task_execution_status,
              ${JSON.stringify(e.arguments)}::jsonb, ${JSON.stringify(e.properties)}::jsonb, ${e.platformName},
              ${e.platformType}, ${e.scheduleName ?? null}, ${e.externalExecutionId ?? null}, now())
      ON CONFLICT (external_execution_id) DO NOTHING
      RETURNING id, task_name, external_execution_id
    ), s AS (
      INSERT INTO task_execution (task_execution_id, task_name, last_updated, external_execution_id)
      SELECT id, left(task_name, 100), now() AT TIME ZONE 'UTC', external_execution_id FROM b
    )
    SELECT id FROM b`;
  const id = rows[0]?.id;
  return id === undefined ? undefined : ((await findExecution(db, id)) ?? undefined);
}

/** A restart of this job execution that has not ended yet (launched, queued or running). */
export const liveRestartOf = (db: Db, jobExecutionId: number) =>
  db.taskExecution.findFirst({
    where: { restartOfJobExecutionId: jobExecutionId, status: { in: NON_TERMINAL } },
    select: { id: true, status: true },
  });
