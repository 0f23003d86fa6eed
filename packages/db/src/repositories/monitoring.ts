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

/**
 * Task executions per platform and status, from the trigger-kept totals (a few rows, whatever the
 * history size: prisma/migrations/20261204021000_metric_totals).
 */
export async function taskStatusCounts(
  db: Db,
): Promise<{ platform: string | null; status: string; count: number }[]> {
  const rows = await db.$queryRaw<{ platform: string; status: string; count: number }[]>`
    SELECT platform_name AS platform, status::text AS status, count::float8 AS count
      FROM batchyard_task_status_total WHERE count > 0`;
  return rows.map((r) => ({
    platform: r.platform === '' ? null : r.platform,
    status: r.status,
    count: r.count,
  }));
}

export interface JobAggregate {
  jobName: string;
  status: string;
  count: number;
  /** Seconds summed over executions with a start and an end. */
  durationSum: number;
  finished: number;
}

/** Per job name and status, capped at `limit` rows (ordered, so the cut is stable), from the totals. */
export const jobAggregates = (db: Db, limit: number) =>
  db.$queryRaw<JobAggregate[]>`
    SELECT job_name AS "jobName", status, count::int AS count, duration_sum AS "durationSum",
           finished::int AS finished
      FROM batchyard_job_status_total WHERE count > 0 ORDER BY 1, 2 LIMIT ${limit}`;

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
 * Per job and step name: settled step executions from the trigger-kept totals, plus the running
 * ones read live (the `status` index finds them without touching settled history).
 */
export const stepAggregates = (db: Db) =>
  db.$queryRaw<StepAggregate[]>`
    WITH live AS (
      SELECT i.job_name, s.step_name,
             coalesce(sum(s.read_count), 0)::float8 AS read, coalesce(sum(s.write_count), 0)::float8 AS written,
             coalesce(sum(coalesce(s.read_skip_count, 0) + coalesce(s.process_skip_count, 0)
                          + coalesce(s.write_skip_count, 0)), 0)::float8 AS skipped,
             coalesce(sum(s.filter_count), 0)::float8 AS filtered,
             (count(*) FILTER (WHERE s.status IN ('STARTING', 'STARTED', 'STOPPING')))::int AS running
        FROM batch_step_execution s
        JOIN batch_job_execution e ON e.job_execution_id = s.job_execution_id
        JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
       WHERE s.status IN ('STARTING', 'STARTED', 'STOPPING', 'UNKNOWN') OR s.status IS NULL
       GROUP BY 1, 2
    )
    SELECT coalesce(t.job_name, l.job_name) AS "jobName", coalesce(t.step_name, l.step_name) AS "stepName",
           coalesce(t.read, 0) + coalesce(l.read, 0) AS read,
           coalesce(t.written, 0) + coalesce(l.written, 0) AS written,
           coalesce(t.skipped, 0) + coalesce(l.skipped, 0) AS skipped,
           coalesce(t.filtered, 0) + coalesce(l.filtered, 0) AS filtered,
           coalesce(l.running, 0) AS running, coalesce(t.finished, 0)::int AS finished,
           coalesce(t.duration_sum, 0) AS "durationSum"
      FROM batchyard_step_total t FULL JOIN live l ON l.job_name = t.job_name AND l.step_name = t.step_name
     WHERE t.finished > 0 OR t.read <> 0 OR l.job_name IS NOT NULL
     ORDER BY 1, 2`;
