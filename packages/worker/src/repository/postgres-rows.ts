import { ExecutionContext, type JsonValue } from '../model/context.js';
import type { JobExecution, JobInstance, StepExecution } from '../model/execution.js';
import { decodeValue, JobParameters, type JobParameterType } from '../model/parameters.js';
import type { BatchStatus } from '../model/status.js';
import { ExitStatus } from '../model/status.js';

/** Row shapes as pg returns them (int4 → number, timestamptz → Date, jsonb → parsed). */
export type Row = Record<string, unknown>;

const date = (v: unknown): Date | null => (v instanceof Date ? v : v == null ? null : new Date(String(v)));

function context(v: unknown): ExecutionContext {
  return new ExecutionContext((v ?? {}) as Record<string, JsonValue>);
}

/** A previous job execution, as the launch check needs it (parameters are not loaded). */
export function toJobExecution(row: Row, instance: JobInstance): JobExecution {
  return {
    id: row.id as number,
    instance,
    parameters: new JobParameters(),
    status: row.status as BatchStatus,
    exitStatus: new ExitStatus(row.exit_code as string, row.exit_message as string),
    createTime: date(row.create_time) as Date,
    startTime: date(row.start_time),
    endTime: date(row.end_time),
    lastUpdated: date(row.last_updated) as Date,
    version: row.version as number,
    context: context(row.context),
    stepExecutions: [],
  };
}

export function toParameters(rows: Row[]): JobParameters {
  return new JobParameters(
    rows.map((r) => {
      const type = r.type as JobParameterType;
      return [
        r.name as string,
        { type, value: decodeValue(type, r.value as string), identifying: r.identifying as boolean },
      ];
    }),
  );
}

export function toStepExecution(row: Row): StepExecution {
  return {
    id: row.id as number,
    jobExecutionId: row.job_execution_id as number,
    jobName: row.job_name as string,
    stepName: row.step_name as string,
    status: row.status as BatchStatus,
    exitStatus: new ExitStatus(row.exit_code as string, row.exit_message as string),
    createTime: date(row.create_time) as Date,
    startTime: date(row.start_time),
    endTime: date(row.end_time),
    lastUpdated: date(row.last_updated) as Date,
    version: row.version as number,
    context: context(row.context),
    terminateOnly: false,
    readCount: row.read_count as number,
    writeCount: row.write_count as number,
    filterCount: row.filter_count as number,
    commitCount: row.commit_count as number,
    rollbackCount: row.rollback_count as number,
    readSkipCount: row.read_skip_count as number,
    processSkipCount: row.process_skip_count as number,
    writeSkipCount: row.write_skip_count as number,
  };
}

/** exit_code is VARCHAR(64): a longer custom code is cut rather than failing the update. */
export const code = (s: ExitStatus): string => s.code.slice(0, 64);

/**
 * One statement that updates the step row (optimistic lock on version), its context when given
 * ($15 null = unchanged) and reads the job's status — a single round trip per chunk commit.
 */
export const UPDATE_STEP_SQL = `
WITH s AS (
  UPDATE step_execution SET
    status = $3::batch_status, exit_code = $4, exit_message = $5,
    read_count = $6, write_count = $7, filter_count = $8, commit_count = $9, rollback_count = $10,
    read_skip_count = $11, process_skip_count = $12, write_skip_count = $13,
    start_time = $14, end_time = $16, last_updated = $17, version = version + 1
  WHERE id = $1 AND version = $2
  RETURNING id, job_execution_id
), c AS (
  UPDATE step_execution_context SET context = $15::jsonb
  WHERE $15::jsonb IS NOT NULL AND step_execution_id = (SELECT id FROM s)
)
SELECT j.status, j.version FROM job_execution j JOIN s ON j.id = s.job_execution_id`;

export function updateStepValues(se: StepExecution, now: Date): unknown[] {
  return [
    se.id,
    se.version,
    se.status,
    code(se.exitStatus),
    se.exitStatus.description,
    se.readCount,
    se.writeCount,
    se.filterCount,
    se.commitCount,
    se.rollbackCount,
    se.readSkipCount,
    se.processSkipCount,
    se.writeSkipCount,
    se.startTime,
    se.context.dirty ? JSON.stringify(se.context.toJSON()) : null,
    se.endTime,
    now,
  ];
}

export const INSERT_STEP_SQL = `
WITH s AS (
  INSERT INTO step_execution (job_execution_id, job_name, step_name, status, exit_code, create_time, last_updated)
  VALUES ($1, $2, $3, $4::batch_status, $5, $6, $6) RETURNING id
), c AS (
  INSERT INTO step_execution_context (step_execution_id, context) SELECT id, $7::jsonb FROM s
)
SELECT id FROM s`;

export const INSERT_JOB_SQL = `
WITH je AS (
  INSERT INTO job_execution (job_instance_id, status, exit_code, create_time, last_updated)
  VALUES ($1, 'STARTING', 'UNKNOWN', $2, $2) RETURNING id
), p AS (
  INSERT INTO job_execution_param (job_execution_id, name, type, value, identifying)
  SELECT je.id, u.name, u.type::job_parameter_type, u.value, u.identifying
  FROM je, unnest($3::text[], $4::text[], $5::text[], $6::bool[]) AS u(name, type, value, identifying)
), c AS (
  INSERT INTO job_execution_context (job_execution_id, context) SELECT id, $7::jsonb FROM je
)
SELECT id FROM je`;

export const LAST_JOB_SQL = `
SELECT je.*, c.context FROM job_execution je
LEFT JOIN job_execution_context c ON c.job_execution_id = je.id
WHERE je.job_instance_id = $1 ORDER BY je.id DESC LIMIT 1`;

export const LAST_STEP_SQL = `
SELECT se.*, c.context FROM step_execution se
JOIN job_execution je ON je.id = se.job_execution_id
LEFT JOIN step_execution_context c ON c.step_execution_id = se.id
WHERE je.job_instance_id = $1 AND se.step_name = $2 ORDER BY se.id DESC LIMIT 1`;

/**
 * The chunk commit's last round trip, as one simple-query text: the step row + context update of
 * UPDATE_STEP_SQL followed by COMMIT. Sending both at once saves a round trip per chunk. Values
 * are inlined through the driver's `escapeLiteral` (the simple protocol has no parameters).
 *
 * If the version check matches no row, the guard column fails the statement (an int cast of a
 * text that is not a number), so COMMIT never runs and the chunk's business writes roll back too.
 */
export function commitStepSql(se: StepExecution, now: Date, lit: (s: string) => string): string {
  const ts = (d: Date | null) => (d ? `${lit(d.toISOString())}::timestamptz` : 'NULL');
  const int = (n: number) => String(Math.trunc(n));
  const context = se.context.dirty
    ? `, c AS (UPDATE step_execution_context SET context = ${lit(JSON.stringify(se.context.toJSON()))}::jsonb
        WHERE step_execution_id = (SELECT id FROM s))`
    : '';
  return `WITH s AS (
  UPDATE step_execution SET
    status = ${lit(se.status)}::batch_status, exit_code = ${lit(code(se.exitStatus))},
    exit_message = ${lit(se.exitStatus.description)},
    read_count = ${int(se.readCount)}, write_count = ${int(se.writeCount)}, filter_count = ${int(se.filterCount)},
    commit_count = ${int(se.commitCount)}, rollback_count = ${int(se.rollbackCount)},
    read_skip_count = ${int(se.readSkipCount)}, process_skip_count = ${int(se.processSkipCount)},
    write_skip_count = ${int(se.writeSkipCount)},
    start_time = ${ts(se.startTime)}, end_time = ${ts(se.endTime)}, last_updated = ${ts(now)}, version = version + 1
  WHERE id = ${int(se.id)} AND version = ${int(se.version)}
  RETURNING id, job_execution_id
)${context}
SELECT j.status, j.version,
  CASE WHEN n.c = 0 THEN (${lit(`${STALE_MARK} ${se.id} version ${se.version}; rows updated: `)} || n.c)::int END AS guard
FROM (SELECT count(*) AS c FROM s) n LEFT JOIN s ON true LEFT JOIN job_execution j ON j.id = s.job_execution_id;
COMMIT`;
}

/** Text of the guard's error, recognised to turn it into an OptimisticLockingError. */
export const STALE_MARK = 'stale step execution';
