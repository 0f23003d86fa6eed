import {
  ApiError,
  type ErrorDetail,
  type Schedule,
  sanitizeArguments,
  sanitizeProperties,
} from '@batchyard/core';
import type { schedules } from '@batchyard/db';
import type { LaunchSpec, ScheduleSpec } from '../platform/types.js';
import { cronProblems } from './cron.js';

type Row = schedules.Schedule;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const record = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]))
    : {};

/**
 * The stored launch of a schedule, masked (its secrets are sealed in `sealed_launch`, which only a
 * fire opens); masked again here for rows written before the seal existed.
 */
const scheduleArguments = (row: Row): string[] => strings(row.arguments);
const scheduleProperties = (row: Row): Record<string, string> => record(row.properties);

export function toScheduleDto(row: Row): Schedule {
  return {
    name: row.name,
    taskDefinitionName: row.taskDefinitionName,
    cron: row.cron,
    timeZone: row.timeZone,
    arguments: sanitizeArguments(scheduleArguments(row)),
    properties: sanitizeProperties(scheduleProperties(row)),
    platformName: row.platformName ?? '',
    concurrencyPolicy: row.concurrencyPolicy,
    startingDeadlineSeconds: row.startingDeadlineSeconds,
    successfulJobsHistoryLimit: row.successfulJobsHistoryLimit,
    failedJobsHistoryLimit: row.failedJobsHistoryLimit,
    suspend: row.suspend,
    externalName: row.externalName,
    lastFireTime: row.lastFireTime?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function scheduleSpec(
  row: schedules.ScheduleFields & { name: string },
  launch: Omit<LaunchSpec, 'executionId'>,
): ScheduleSpec {
  return {
    scheduleName: row.name,
    launch: { ...launch, scheduleName: row.name },
    cron: row.cron.trim(),
    timeZone: row.timeZone,
    concurrencyPolicy: row.concurrencyPolicy,
    startingDeadlineSeconds: row.startingDeadlineSeconds,
    successfulJobsHistoryLimit: row.successfulJobsHistoryLimit,
    failedJobsHistoryLimit: row.failedJobsHistoryLimit,
    suspend: row.suspend,
  };
}

/** A 400 naming every bad cron field. */
export function assertCron(cron: string): void {
  const problems = cronProblems(cron);
  if (problems.length > 0) {
    throw new ApiError(
      'VALIDATION_FAILED',
      problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      problems,
    );
  }
}

/**
 * Launch validation reports paths of a launch body (`body.name`); a schedule's body names the
 * definition `taskDefinitionName`, and a missing definition is the client's mistake (400, not 404).
 */
export function asScheduleError(err: unknown, definitionName: string): never {
  if (!(err instanceof ApiError)) throw err;
  if (err.code === 'NOT_FOUND') {
    const message = `task definition '${definitionName}' does not exist`;
    throw new ApiError('VALIDATION_FAILED', `body.taskDefinitionName: ${message}`, [
      { path: 'body.taskDefinitionName', message },
    ]);
  }
  const rename = (d: ErrorDetail): ErrorDetail =>
    d.path === 'body.name' ? { ...d, path: 'body.taskDefinitionName' } : d;
  throw new ApiError(err.code, err.message, err.details.map(rename));
}
