import type { TaskExecution, TaskStatus } from '@batchyard/core';
import { type Db, executions } from '@batchyard/db';

type Row = executions.TaskExecution;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const record = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]))
    : {};

export function toExecutionDto(
  row: Row,
  jobExecutionIds: number[] = [],
  queuePosition: number | null = null,
): TaskExecution {
  return {
    id: row.id,
    taskName: row.taskName,
    status: row.status as TaskStatus,
    arguments: strings(row.arguments),
    properties: record(row.properties),
    manifest: row.manifest ?? null,
    platformName: row.platformName,
    platformType: row.platformType,
    externalExecutionId: row.externalExecutionId,
    parentExecutionId: row.parentExecutionId,
    partitionStepExecutionId:
      row.partitionStepExecutionId === null ? null : Number(row.partitionStepExecutionId),
    scheduleName: row.scheduleName,
    exitCode: row.exitCode,
    exitMessage: row.exitMessage,
    errorMessage: row.errorMessage,
    reason: row.reason,
    queuePosition,
    jobExecutionIds,
    queuedAt: row.queuedAt?.toISOString() ?? null,
    startTime: row.startTime?.toISOString() ?? null,
    endTime: row.endTime?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * DTOs for many rows with their job execution ids in one query. `fresh`: rows created a moment ago,
 * whose worker cannot have linked a job execution yet, so that query is skipped.
 */
export async function toExecutionDtos(
  db: Db,
  rows: Row[],
  { fresh = false }: { fresh?: boolean } = {},
): Promise<TaskExecution[]> {
  const jobs = fresh
    ? new Map<number, number[]>()
    : await executions.jobExecutionIds(
        db,
        rows.map((r) => r.id),
      );
  return Promise.all(
    rows.map(async (r) =>
      toExecutionDto(
        r,
        jobs.get(r.id) ?? [],
        r.status === 'QUEUED' ? await executions.queuePosition(db, r) : null,
      ),
    ),
  );
}
