import { Prisma } from '../generated/prisma/client.js';
import type { Db } from './db.js';

/** Aggregates for step history and for the Prometheus scrape: one SQL statement each. */

export interface Stats {
  count: number;
  min: number;
  max: number;
  mean: number;
  standardDeviation: number;
}

export const HISTORY_COLUMNS = {
  commitCount: 'commit_count',
  rollbackCount: 'rollback_count',
  readCount: 'read_count',
  writeCount: 'write_count',
  filterCount: 'filter_count',
  readSkipCount: 'read_skip_count',
  writeSkipCount: 'write_skip_count',
  processSkipCount: 'process_skip_count',
  duration: 'duration',
  durationPerRead: 'duration_per_read',
} as const;
export type HistoryKey = keyof typeof HISTORY_COLUMNS;

/** Finished = ended in a terminal status; a step still running has no place in its own history. */
const FINISHED = Prisma.raw(`('COMPLETED', 'FAILED', 'STOPPED', 'ABANDONED')`);

// Static SQL built from the column map above (never from input): count/min/max/avg/stddev_pop
// per column. stddev_pop because SCDF's CumulativeHistory divides by n, not n - 1.
const AGGREGATES = Prisma.raw(
  Object.values(HISTORY_COLUMNS)
    .map(
      (c) =>
        `count(${c})::int AS ${c}_n, coalesce(min(${c}), 0)::float8 AS ${c}_min, ` +
        `coalesce(max(${c}), 0)::float8 AS ${c}_max, coalesce(avg(${c}), 0)::float8 AS ${c}_mean, ` +
        `coalesce(stddev_pop(${c}), 0)::float8 AS ${c}_sd`,
    )
    .join(',\n'),
);

/**
 * History of a step name in a job over its finished executions, as SCDF's StepExecutionHistory:
 * durations in milliseconds; duration per read only over executions that read something.
 * Spring's step table has no job name: the job's executions are found through the instance.
 */
export async function stepHistory(
  db: Db,
  jobName: string,
  stepName: string,
): Promise<{ count: number } & Record<HistoryKey, Stats>> {
  const rows = await db.$queryRaw<Record<string, number>[]>`
    WITH s AS (
      SELECT s.commit_count, s.rollback_count, s.read_count, s.write_count, s.filter_count,
             s.read_skip_count, s.write_skip_count, s.process_skip_count,
             extract(epoch FROM end_time - start_time) * 1000 AS duration,
             CASE WHEN read_count > 0
                  THEN extract(epoch FROM end_time - start_time) * 1000 / read_count END AS duration_per_read
        FROM batch_step_execution s
       WHERE s.step_name = ${stepName} AND s.status IN ${FINISHED}
         AND s.start_time IS NOT NULL AND s.end_time IS NOT NULL
         AND s.job_execution_id IN (SELECT e.job_execution_id FROM batch_job_execution e
                                      JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
                                     WHERE i.job_name = ${jobName})
    )
    SELECT count(*)::int AS total, ${AGGREGATES} FROM s`;
  const row = rows[0] ?? {};
  const stats = Object.fromEntries(
    Object.entries(HISTORY_COLUMNS).map(([key, c]) => [
      key,
      {
        count: Number(row[`${c}_n`] ?? 0),
        min: Number(row[`${c}_min`] ?? 0),
        max: Number(row[`${c}_max`] ?? 0),
        mean: Number(row[`${c}_mean`] ?? 0),
        standardDeviation: Number(row[`${c}_sd`] ?? 0),
      },
    ]),
  ) as Record<HistoryKey, Stats>;
  return { count: Number(row.total ?? 0), ...stats };
}

/** Task executions per platform and status: an index-only scan of (platform_name, status). */
export async function taskStatusCounts(
  db: Db,
): Promise<{ platform: string | null; status: string; count: number }[]> {
  const rows = await db.taskExecution.groupBy({
    by: ['platformName', 'status'],
    _count: { _all: true },
  });
  return rows.map((r) => ({ platform: r.platformName, status: r.status, count: r._count._all }));
}

export interface JobAggregate {
  jobName: string;
  status: string;
  count: number;
  /** Seconds summed over executions with a start and an end. */
  durationSum: number;
  finished: number;
}

/** Per job name and status, capped at `limit` rows (ordered, so the cut is stable). */
export const jobAggregates = (db: Db, limit: number) =>
  db.$queryRaw<JobAggregate[]>`
    SELECT i.job_name AS "jobName", coalesce(e.status, 'UNKNOWN') AS status, count(*)::int AS count,
           coalesce(sum(extract(epoch FROM e.end_time - e.start_time)), 0)::float8 AS "durationSum",
           count(e.end_time - e.start_time)::int AS finished
      FROM batch_job_execution e JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
     GROUP BY 1, 2 ORDER BY 1, 2 LIMIT ${limit}`;

export interface StepAggregate {
  jobName: string;
  stepName: string;
  read: number;
  written: number;
  skipped: number;
  filtered: number;
  running: number;
  finished: number;
  durationSum: number;
}

/**
 * Per job and step name over the step executions with `afterId < id <= upToId` (no upper bound
 * when null): a primary-key range, so the scrape can fold settled rows once and only re-read the
 * recent ones.
 */
export const stepAggregates = (db: Db, afterId: number, upToId: number | null) =>
  db.$queryRaw<StepAggregate[]>`
    SELECT i.job_name AS "jobName", s.step_name AS "stepName",
           coalesce(sum(s.read_count), 0)::float8 AS read, coalesce(sum(s.write_count), 0)::float8 AS written,
           coalesce(sum(coalesce(s.read_skip_count, 0) + coalesce(s.process_skip_count, 0)
                        + coalesce(s.write_skip_count, 0)), 0)::float8 AS skipped,
           coalesce(sum(s.filter_count), 0)::float8 AS filtered,
           (count(*) FILTER (WHERE s.status IN ('STARTING', 'STARTED', 'STOPPING')))::int AS running,
           (count(*) FILTER (WHERE s.status IN ${FINISHED} AND s.end_time IS NOT NULL AND s.start_time IS NOT NULL))::int AS finished,
           coalesce(sum(extract(epoch FROM s.end_time - s.start_time))
             FILTER (WHERE s.status IN ${FINISHED}), 0)::float8 AS "durationSum"
      FROM batch_step_execution s
      JOIN batch_job_execution e ON e.job_execution_id = s.job_execution_id
      JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
     WHERE s.step_execution_id > ${afterId} AND (${upToId}::int8 IS NULL OR s.step_execution_id <= ${upToId}::int8)
     GROUP BY 1, 2`;

/**
 * Past `afterId`: the highest id below which every step execution has settled (no row still
 * STARTING/STARTED/STOPPING/UNKNOWN), so its counters will not change again.
 */
export async function settledStepId(db: Db, afterId: number): Promise<number> {
  const rows = await db.$queryRaw<{ running: number | null; last: number | null }[]>`
    SELECT min(step_execution_id) FILTER (WHERE status IS NULL OR status IN ('STARTING', 'STARTED', 'STOPPING', 'UNKNOWN'))::float8 AS running,
           max(step_execution_id)::float8 AS last
      FROM batch_step_execution WHERE step_execution_id > ${afterId}`;
  const { running, last } = rows[0] ?? { running: null, last: null };
  if (running !== null) return running - 1;
  return last ?? afterId;
}
