import type { BatchStatus, Prisma } from '../generated/prisma/client.js';
import type { Db } from './db.js';

/**
 * The job repository as the control plane reads it. The worker is the writer of these rows;
 * the server only ever makes the two transitions Spring Batch's operator makes: STOPPING and
 * ABANDONED, both conditional on the current status and bumping `version` so the worker's
 * optimistic lock notices.
 */

export type { BatchStatus } from '../generated/prisma/client.js';

export interface JobExecutionFilter {
  jobName?: string;
  status?: BatchStatus;
  from?: Date;
  to?: Date;
  taskExecutionId?: number;
}

const summary = {
  instance: { select: { jobName: true } },
  tasks: { select: { taskExecutionId: true }, orderBy: { taskExecutionId: 'asc' }, take: 1 },
  _count: { select: { steps: true } },
} satisfies Prisma.JobExecutionInclude;

export type JobExecutionRow = Prisma.JobExecutionGetPayload<{ include: typeof summary }>;

function where(f: JobExecutionFilter): Prisma.JobExecutionWhereInput {
  return {
    ...(f.jobName ? { instance: { jobName: f.jobName } } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.taskExecutionId ? { tasks: { some: { taskExecutionId: f.taskExecutionId } } } : {}),
    ...(f.from || f.to
      ? { startTime: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } }
      : {}),
  };
}

/** Newest first, keyset on id (ids order creation). */
export const listJobExecutions = (
  db: Db,
  filter: JobExecutionFilter,
  size: number,
  beforeId?: number,
): Promise<JobExecutionRow[]> =>
  db.jobExecution.findMany({
    where: { ...where(filter), ...(beforeId ? { id: { lt: beforeId } } : {}) },
    orderBy: { id: 'desc' },
    take: size,
    include: summary,
  });

export const countJobExecutions = (db: Db, filter: JobExecutionFilter): Promise<number> =>
  db.jobExecution.count({ where: where(filter) });

export const findJobExecution = (db: Db, id: number): Promise<JobExecutionRow | null> =>
  db.jobExecution.findUnique({ where: { id }, include: summary });

export const jobExecutionsOfInstance = (db: Db, jobInstanceId: number, limit: number) =>
  db.jobExecution.findMany({
    where: { jobInstanceId },
    orderBy: { id: 'desc' },
    take: limit,
    include: summary,
  });

/** The newest execution id of each instance: only that one may be restarted. */
export async function latestExecutionIds(db: Db, jobInstanceIds: number[]): Promise<Map<number, number>> {
  if (jobInstanceIds.length === 0) return new Map();
  const rows = await db.jobExecution.groupBy({
    by: ['jobInstanceId'],
    where: { jobInstanceId: { in: [...new Set(jobInstanceIds)] } },
    _max: { id: true },
  });
  return new Map(rows.map((r) => [r.jobInstanceId, r._max.id ?? 0]));
}

export const jobParameters = (db: Db, jobExecutionId: number) =>
  db.jobExecutionParam.findMany({ where: { jobExecutionId }, orderBy: { name: 'asc' } });

export async function jobContext(db: Db, jobExecutionId: number): Promise<unknown> {
  const row = await db.jobExecutionContext.findUnique({ where: { jobExecutionId } });
  return row?.context ?? {};
}

export type StepExecutionRow = Prisma.StepExecutionGetPayload<{ include: { context: true } }>;

export const stepExecutions = (db: Db, jobExecutionId: number): Promise<StepExecutionRow[]> =>
  db.stepExecution.findMany({
    where: { jobExecutionId },
    orderBy: { id: 'asc' },
    include: { context: true },
  });

export const findStepExecution = (
  db: Db,
  jobExecutionId: number,
  stepId: number,
): Promise<StepExecutionRow | null> =>
  db.stepExecution.findFirst({ where: { id: stepId, jobExecutionId }, include: { context: true } });

/** STARTING/STARTED → STOPPING; false when the execution was in no state to stop. */
export async function requestStop(db: Db, id: number): Promise<boolean> {
  const { count } = await db.jobExecution.updateMany({
    where: { id, status: { in: ['STARTING', 'STARTED'] } },
    data: { status: 'STOPPING', version: { increment: 1 }, lastUpdated: new Date() },
  });
  return count === 1;
}

/** FAILED/STOPPED → ABANDONED (the instance may then never be restarted). */
export async function abandon(db: Db, id: number): Promise<boolean> {
  const { count } = await db.jobExecution.updateMany({
    where: { id, status: { in: ['FAILED', 'STOPPED'] } },
    data: { status: 'ABANDONED', version: { increment: 1 }, lastUpdated: new Date() },
  });
  return count === 1;
}

export const listJobInstances = (db: Db, jobName: string | undefined, size: number, beforeId?: number) =>
  db.jobInstance.findMany({
    where: { ...(jobName ? { jobName } : {}), ...(beforeId ? { id: { lt: beforeId } } : {}) },
    orderBy: { id: 'desc' },
    take: size,
  });

export const countJobInstances = (db: Db, jobName: string | undefined) =>
  db.jobInstance.count({ where: jobName ? { jobName } : {} });

export const findJobInstance = (db: Db, id: number) => db.jobInstance.findUnique({ where: { id } });
