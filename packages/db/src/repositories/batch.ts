import { type BatchStatus, fromSpringParameter, readableContext } from '@batchyard/core';
import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from './db.js';

/**
 * The job repository as the control plane reads it: Spring Batch's own BATCH_* tables, written by
 * the TypeScript worker and by Java Spring Batch apps alike. The server only ever makes the two
 * transitions Spring Batch's JobOperator makes — STOPPING and ABANDONED — each conditional on the
 * current status and bumping VERSION, so the writer's optimistic lock notices.
 *
 * Spring's ids and counters are BIGINT; they are returned as numbers (ids from Spring's sequences
 * stay far below 2^53).
 */

export type { BatchStatus } from '@batchyard/core';

export interface JobExecutionFilter {
  jobName?: string;
  status?: BatchStatus;
  from?: Date;
  to?: Date;
  taskExecutionId?: number;
}

export interface JobExecutionRow {
  id: number;
  jobInstanceId: number;
  jobName: string;
  /** The first task execution linked in TASK_TASK_BATCH, if any. */
  taskExecutionId: number | null;
  status: string;
  exitCode: string;
  exitMessage: string;
  createTime: Date;
  startTime: Date | null;
  endTime: Date | null;
  lastUpdated: Date;
  version: number;
  stepCount: number;
}

export interface StepExecutionRow {
  id: number;
  jobExecutionId: number;
  jobName: string;
  stepName: string;
  status: string;
  readCount: number;
  writeCount: number;
  commitCount: number;
  rollbackCount: number;
  filterCount: number;
  readSkipCount: number;
  processSkipCount: number;
  writeSkipCount: number;
  exitCode: string;
  exitMessage: string;
  startTime: Date | null;
  endTime: Date | null;
  lastUpdated: Date;
  version: number;
  /** The step's context as plain JSON (undefined when Spring stored it in a form that is not JSON). */
  context: Record<string, unknown> | undefined;
}

const n = (v: bigint | number | null | undefined): number => (v == null ? 0 : Number(v));

// No `_count` of steps here: Prisma computes a relation count by aggregating the whole step table
// (O(history), 1.4 s at 2·10^6 steps); withTasks counts the page's steps by the indexed key instead.
const summary = {
  instance: { select: { jobName: true } },
} satisfies Prisma.JobExecutionInclude;
type SummaryRow = Prisma.JobExecutionGetPayload<{ include: typeof summary }>;

async function withTasks(db: Db, rows: SummaryRow[]): Promise<JobExecutionRow[]> {
  const links =
    rows.length === 0
      ? []
      : await db.taskBatch.findMany({
          where: { jobExecutionId: { in: rows.map((r) => r.id) } },
          orderBy: { taskExecutionId: 'asc' },
        });
  const task = new Map<bigint, number>();
  for (const l of links)
    if (!task.has(l.jobExecutionId)) task.set(l.jobExecutionId, Number(l.taskExecutionId));
  const counts =
    rows.length === 0
      ? []
      : await db.$queryRaw<{ id: bigint; n: number }[]>`
          SELECT job_execution_id AS id, count(*)::int AS n FROM batch_step_execution
           WHERE job_execution_id = ANY(${rows.map((r) => r.id)}::int8[]) GROUP BY 1`;
  const steps = new Map(counts.map((c) => [BigInt(c.id), c.n]));
  return rows.map((r) => ({
    id: Number(r.id),
    jobInstanceId: Number(r.jobInstanceId),
    jobName: r.instance.jobName,
    taskExecutionId: task.get(r.id) ?? null,
    status: r.status ?? 'UNKNOWN',
    exitCode: r.exitCode ?? 'UNKNOWN',
    exitMessage: r.exitMessage ?? '',
    createTime: r.createTime,
    startTime: r.startTime,
    endTime: r.endTime,
    lastUpdated: r.lastUpdated ?? r.createTime,
    version: n(r.version),
    stepCount: steps.get(r.id) ?? 0,
  }));
}

function where(f: JobExecutionFilter): Prisma.JobExecutionWhereInput {
  return {
    ...(f.jobName ? { instance: { jobName: f.jobName } } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.from || f.to
      ? { startTime: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } }
      : {}),
  };
}

/** The filter, with the task link (no foreign key in Spring's schema) resolved to job execution ids. */
async function resolve(db: Db, f: JobExecutionFilter): Promise<Prisma.JobExecutionWhereInput> {
  const w = where(f);
  if (!f.taskExecutionId) return w;
  const links = await db.taskBatch.findMany({
    where: { taskExecutionId: f.taskExecutionId },
    select: { jobExecutionId: true },
  });
  return { ...w, id: { in: links.map((l) => l.jobExecutionId) } };
}

/** Newest first, keyset on id (ids order creation). */
export async function listJobExecutions(
  db: Db,
  filter: JobExecutionFilter,
  size: number,
  beforeId?: number,
): Promise<JobExecutionRow[]> {
  const w = await resolve(db, filter);
  const rows = await db.jobExecution.findMany({
    where: { AND: [w, ...(beforeId ? [{ id: { lt: beforeId } }] : [])] },
    orderBy: { id: 'desc' },
    take: size,
    include: summary,
  });
  return withTasks(db, rows);
}

export async function countJobExecutions(db: Db, filter: JobExecutionFilter): Promise<number> {
  return db.jobExecution.count({ where: await resolve(db, filter) });
}

export async function findJobExecution(db: Db, id: number): Promise<JobExecutionRow | null> {
  const row = await db.jobExecution.findUnique({ where: { id }, include: summary });
  return row ? ((await withTasks(db, [row]))[0] ?? null) : null;
}

export async function jobExecutionsOfInstance(db: Db, jobInstanceId: number, limit: number) {
  const rows = await db.jobExecution.findMany({
    where: { jobInstanceId },
    orderBy: { id: 'desc' },
    take: limit,
    include: summary,
  });
  return withTasks(db, rows);
}

/** The newest execution id of each instance: only that one may be restarted. */
export async function latestExecutionIds(db: Db, jobInstanceIds: number[]): Promise<Map<number, number>> {
  if (jobInstanceIds.length === 0) return new Map();
  const rows = await db.jobExecution.groupBy({
    by: ['jobInstanceId'],
    where: { jobInstanceId: { in: [...new Set(jobInstanceIds)] } },
    _max: { id: true },
  });
  return new Map(rows.map((r) => [Number(r.jobInstanceId), n(r._max.id)]));
}

export interface JobParameterRow {
  name: string;
  type: 'STRING' | 'NUMBER' | 'DATE' | 'BOOLEAN';
  /** As Batchyard's API shows it: ISO-8601 for dates. */
  value: string;
  identifying: boolean;
}

/** BATCH_JOB_EXECUTION_PARAMS (Spring's table has no key, so Prisma does not model it). */
export async function jobParameters(db: Db, jobExecutionId: number): Promise<JobParameterRow[]> {
  const rows = await db.$queryRaw<
    { name: string; type: string; value: string | null; identifying: string }[]
  >`
    SELECT parameter_name AS name, parameter_type AS type, parameter_value AS value, identifying
      FROM batch_job_execution_params WHERE job_execution_id = ${jobExecutionId}
     ORDER BY parameter_name COLLATE "C"`;
  return rows.map((r) => {
    const p = fromSpringParameter(r);
    return {
      name: p.name,
      type: p.type,
      value: p.value instanceof Date ? p.value.toISOString() : String(p.value),
      identifying: p.identifying,
    };
  });
}

export async function jobContext(db: Db, jobExecutionId: number): Promise<Record<string, unknown>> {
  const row = await db.jobExecutionContext.findUnique({ where: { jobExecutionId } });
  return row ? readableContext(row.shortContext, row.serializedContext) : {};
}

const stepInclude = {
  context: true,
  execution: { select: { instance: { select: { jobName: true } } } },
} satisfies Prisma.StepExecutionInclude;
type StepRow = Prisma.StepExecutionGetPayload<{ include: typeof stepInclude }>;

function toStepRow(r: StepRow): StepExecutionRow {
  return {
    id: Number(r.id),
    jobExecutionId: Number(r.jobExecutionId),
    jobName: r.execution.instance.jobName,
    stepName: r.stepName,
    status: r.status ?? 'UNKNOWN',
    readCount: n(r.readCount),
    writeCount: n(r.writeCount),
    commitCount: n(r.commitCount),
    rollbackCount: n(r.rollbackCount),
    filterCount: n(r.filterCount),
    readSkipCount: n(r.readSkipCount),
    processSkipCount: n(r.processSkipCount),
    writeSkipCount: n(r.writeSkipCount),
    exitCode: r.exitCode ?? 'EXECUTING',
    exitMessage: r.exitMessage ?? '',
    startTime: r.startTime,
    endTime: r.endTime,
    lastUpdated: r.lastUpdated ?? r.createTime,
    version: n(r.version),
    context: r.context ? readableContext(r.context.shortContext, r.context.serializedContext) : {},
  };
}

export const stepExecutions = async (db: Db, jobExecutionId: number): Promise<StepExecutionRow[]> =>
  (
    await db.stepExecution.findMany({
      where: { jobExecutionId },
      orderBy: { id: 'asc' },
      include: stepInclude,
    })
  ).map(toStepRow);

export async function findStepExecution(
  db: Db,
  jobExecutionId: number,
  stepId: number,
): Promise<StepExecutionRow | null> {
  const row = await db.stepExecution.findFirst({
    where: { id: stepId, jobExecutionId },
    include: stepInclude,
  });
  return row ? toStepRow(row) : null;
}

/** Spring stores LAST_UPDATED as TIMESTAMP without zone; Batchyard writes UTC wall time. */
const utcNow = () => new Date();

/** STARTING/STARTED → STOPPING (what JobOperator.stop writes and the running job polls for). */
export async function requestStop(db: Db, id: number): Promise<boolean> {
  const { count } = await db.jobExecution.updateMany({
    where: { id, status: { in: ['STARTING', 'STARTED'] } },
    data: { status: 'STOPPING', version: { increment: 1 }, lastUpdated: utcNow() },
  });
  return count === 1;
}

/** FAILED/STOPPED → ABANDONED (the instance may then never be restarted). */
export async function abandon(db: Db, id: number): Promise<boolean> {
  const { count } = await db.jobExecution.updateMany({
    where: { id, status: { in: ['FAILED', 'STOPPED'] } },
    data: { status: 'ABANDONED', version: { increment: 1 }, lastUpdated: utcNow() },
  });
  return count === 1;
}

export interface JobInstanceRow {
  id: number;
  jobName: string;
  jobKey: string;
  version: number;
  /** Spring's instance has no creation time: its first execution's. */
  createdAt: Date;
}

async function toInstances(
  db: Db,
  rows: { id: bigint; jobName: string; jobKey: string; version: bigint | null }[],
): Promise<JobInstanceRow[]> {
  const first =
    rows.length === 0
      ? []
      : await db.jobExecution.groupBy({
          by: ['jobInstanceId'],
          where: { jobInstanceId: { in: rows.map((r) => r.id) } },
          _min: { createTime: true },
        });
  const created = new Map(first.map((f) => [f.jobInstanceId, f._min.createTime]));
  return rows.map((r) => ({
    id: Number(r.id),
    jobName: r.jobName,
    jobKey: r.jobKey,
    version: n(r.version),
    createdAt: created.get(r.id) ?? new Date(0),
  }));
}

export const listJobInstances = async (
  db: Db,
  jobName: string | undefined,
  size: number,
  beforeId?: number,
) =>
  toInstances(
    db,
    await db.jobInstance.findMany({
      where: { ...(jobName ? { jobName } : {}), ...(beforeId ? { id: { lt: beforeId } } : {}) },
      orderBy: { id: 'desc' },
      take: size,
    }),
  );

export const countJobInstances = (db: Db, jobName: string | undefined) =>
  db.jobInstance.count({ where: jobName ? { jobName } : {} });

export async function findJobInstance(db: Db, id: number): Promise<JobInstanceRow | null> {
  const row = await db.jobInstance.findUnique({ where: { id } });
  return row ? ((await toInstances(db, [row]))[0] ?? null) : null;
}
