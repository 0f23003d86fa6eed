import type { ConcurrencyPolicy, Prisma, Schedule, TaskExecution } from '../generated/prisma/client.js';
import type { Db } from './db.js';
import { NON_TERMINAL } from './task-executions.js';

export type { Schedule, ScheduleFire } from '../generated/prisma/client.js';

export interface ScheduleFields {
  taskDefinitionName: string;
  cron: string;
  timeZone: string | null;
  arguments: string[];
  properties: Record<string, string>;
  concurrencyPolicy: ConcurrencyPolicy;
  startingDeadlineSeconds: number | null;
  successfulJobsHistoryLimit: number | null;
  failedJobsHistoryLimit: number | null;
  suspend: boolean;
  /** The launch as given, sealed, when its arguments or properties hold secrets (those columns are masked). */
  sealedLaunch?: string | null;
}

export interface NewSchedule extends ScheduleFields {
  name: string;
  platformName: string;
  externalName: string | null;
}

export const insertSchedule = (db: Db, s: NewSchedule): Promise<Schedule> => db.schedule.create({ data: s });

export const findSchedule = (db: Db, name: string) => db.schedule.findUnique({ where: { name } });

export interface ScheduleFilter {
  taskDefinitionName?: string;
}

const where = (f: ScheduleFilter): Prisma.ScheduleWhereInput =>
  f.taskDefinitionName ? { taskDefinitionName: f.taskDefinitionName } : {};

/** Keyset on name (unique), served by the name index or (definition, name). */
export const listSchedules = (db: Db, filter: ScheduleFilter, size: number, afterName?: string) =>
  db.schedule.findMany({
    where: { ...where(filter), ...(afterName !== undefined ? { name: { gt: afterName } } : {}) },
    orderBy: { name: 'asc' },
    take: size,
  });

export const countSchedules = (db: Db, filter: ScheduleFilter): Promise<number> =>
  db.schedule.count({ where: where(filter) });

/** Every schedule of these definitions, by name. */
export const schedulesOf = (db: Db, taskDefinitionNames: string[]): Promise<Schedule[]> =>
  db.schedule.findMany({
    where: { taskDefinitionName: { in: taskDefinitionNames } },
    orderBy: { name: 'asc' },
  });

export async function scheduleNamesOf(db: Db, taskDefinitionNames: string[]): Promise<string[]> {
  const rows = await db.schedule.findMany({
    where: { taskDefinitionName: { in: taskDefinitionNames } },
    select: { name: true },
    orderBy: { name: 'asc' },
  });
  return rows.map((r) => r.name);
}

export const updateSchedule = (
  db: Db,
  id: number,
  change: Partial<ScheduleFields> & { externalName?: string | null },
): Promise<Schedule> => db.schedule.update({ where: { id }, data: change });

/** Deleting a schedule deletes its fire records (cascade); its executions stay. */
export async function deleteSchedule(db: Db, id: number): Promise<boolean> {
  const { count } = await db.schedule.deleteMany({ where: { id } });
  return count > 0;
}

/** Schedules the in-process scheduler fires: not suspended, on one of these accounts. */
export const activeSchedulesOn = (db: Db, platformNames: string[]): Promise<Schedule[]> =>
  db.schedule.findMany({
    where: { suspend: false, platformName: { in: platformNames } },
    orderBy: { id: 'asc' },
  });

/**
 * Claims one fire of a schedule. The primary key (schedule_id, fire_time) is the guard: however
 * many servers or restarts race for the same fire, exactly one insert succeeds.
 */
export async function claimFire(db: Db, scheduleId: number, fireTime: Date): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO schedule_fire (schedule_id, fire_time) VALUES (${scheduleId}, ${fireTime})
    ON CONFLICT DO NOTHING`;
  return inserted === 1;
}

/** Records what a claimed fire launched; last_fire_time only moves forward. */
export async function recordFire(
  db: Db,
  scheduleId: number,
  fireTime: Date,
  taskExecutionId: number | null,
): Promise<void> {
  await db.$executeRaw`
    UPDATE schedule_fire SET task_execution_id = ${taskExecutionId}
    WHERE schedule_id = ${scheduleId} AND fire_time = ${fireTime}`;
  await db.$executeRaw`
    UPDATE schedule SET last_fire_time = GREATEST(last_fire_time, ${fireTime}::timestamptz)
    WHERE id = ${scheduleId}`;
}

export const firesOf = (db: Db, scheduleId: number) =>
  db.scheduleFire.findMany({ where: { scheduleId }, orderBy: { fireTime: 'asc' } });

/** Executions launched for a schedule, newest first. */
export const executionsOfSchedule = (db: Db, scheduleName: string, take: number): Promise<TaskExecution[]> =>
  db.taskExecution.findMany({ where: { scheduleName }, orderBy: { id: 'desc' }, take });

/** The schedule's executions that have not ended (for Forbid and Replace). */
export const activeExecutionsOfSchedule = (db: Db, scheduleName: string): Promise<TaskExecution[]> =>
  db.taskExecution.findMany({
    where: { scheduleName, status: { in: NON_TERMINAL } },
    orderBy: { id: 'asc' },
  });
