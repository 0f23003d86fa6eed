import {
  contextColumns,
  deserializeContext,
  fromSpringParameter,
  type SpringParameterRow,
  serializeContext,
  toSpringParameter,
} from '@batchyard/core';
import { ExecutionContext, type JsonValue } from '../model/context.js';
import type { JobExecution, JobInstance, StepExecution } from '../model/execution.js';
import { JobParameters } from '../model/parameters.js';
import type { BatchStatus } from '../model/status.js';
import { ExitStatus } from '../model/status.js';

/**
 * Rows of Spring Batch's tables (schema-postgresql.sql) as the worker reads and writes them, with
 * Spring's conventions: BIGINT ids from Spring's sequences, TIMESTAMP without time zone (written
 * and read as UTC), parameters typed by Java class name, contexts in the Jackson serializer's
 * format split over SHORT_CONTEXT / SERIALIZED_CONTEXT.
 */

/** Row shapes as pg returns them (see the pool's type parsers in postgres.ts). */
export type Row = Record<string, unknown>;

const date = (v: unknown): Date | null => (v instanceof Date ? v : v == null ? null : new Date(String(v)));
const num = (v: unknown): number => (v == null ? 0 : Number(v));

/**
 * A timestamp parameter for a TIMESTAMP (without zone) column: the ISO text with its Z, whose
 * zone PostgreSQL ignores for this type — so the column holds UTC wall time whatever the
 * process's time zone.
 */
export const utc = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Spring Batch's EXIT_MESSAGE is VARCHAR(2500), as is its default exitMessageLength. */
export const message = (s: string): string => s.slice(0, 2500);
/** EXIT_CODE is VARCHAR(2500) too; Batchyard's API has always cut codes at 100. */
export const code = (s: ExitStatus): string => s.code.slice(0, 100);

/** SHORT_CONTEXT / SERIALIZED_CONTEXT of a context. */
export function contextValues(context: ExecutionContext): [string, string | null] {
  const { short, serialized } = contextColumns(serializeContext(context.toJSON()));
  return [short, serialized];
}

function context(row: Row): ExecutionContext {
  if (row.short_context === undefined) return new ExecutionContext();
  const parsed = deserializeContext(
    row.short_context as string | null,
    row.serialized_context as string | null,
  );
  return new ExecutionContext((parsed ?? {}) as Record<string, JsonValue>);
}

/** A job execution row joined with its context (parameters are loaded separately). */
export function toJobExecution(row: Row, instance: JobInstance): JobExecution {
  return {
    id: num(row.job_execution_id),
    instance,
    parameters: new JobParameters(),
    status: (row.status as BatchStatus | null) ?? 'UNKNOWN',
    exitStatus: new ExitStatus(
      (row.exit_code as string | null) ?? 'UNKNOWN',
      (row.exit_message as string | null) ?? '',
    ),
    createTime: date(row.create_time) as Date,
    startTime: date(row.start_time),
    endTime: date(row.end_time),
    lastUpdated: date(row.last_updated) ?? (date(row.create_time) as Date),
    version: num(row.version),
    context: context(row),
    stepExecutions: [],
  };
}

export function toParameters(rows: Row[]): JobParameters {
  return new JobParameters(
    rows.map((r) => {
      const p = fromSpringParameter(r as unknown as SpringParameterRow);
      return [p.name, { type: p.type, value: p.value, identifying: p.identifying }];
    }),
  );
}

/** The parameters as four arrays (name, type, value, identifying) for one `unnest` insert. */
export function parameterArrays(params: JobParameters): [string[], string[], (string | null)[], string[]] {
  const rows = [...params].map(([name, p]) =>
    toSpringParameter({ name, value: p.value, identifying: p.identifying }),
  );
  return [
    rows.map((r) => r.name),
    rows.map((r) => r.type),
    rows.map((r) => r.value),
    rows.map((r) => r.identifying),
  ];
}

export function toStepExecution(row: Row): StepExecution {
  return {
    id: num(row.step_execution_id),
    jobExecutionId: num(row.job_execution_id),
    jobName: row.job_name as string,
    stepName: row.step_name as string,
    status: (row.status as BatchStatus | null) ?? 'UNKNOWN',
    exitStatus: new ExitStatus(
      (row.exit_code as string | null) ?? 'EXECUTING',
      (row.exit_message as string | null) ?? '',
    ),
    createTime: date(row.create_time) as Date,
    startTime: date(row.start_time),
    endTime: date(row.end_time),
    lastUpdated: date(row.last_updated) ?? (date(row.create_time) as Date),
    version: num(row.version),
    context: context(row),
    terminateOnly: false,
    readCount: num(row.read_count),
    writeCount: num(row.write_count),
    filterCount: num(row.filter_count),
    commitCount: num(row.commit_count),
    rollbackCount: num(row.rollback_count),
    readSkipCount: num(row.read_skip_count),
    processSkipCount: num(row.process_skip_count),
    writeSkipCount: num(row.write_skip_count),
  };
}

/** A step row with its job's name and its context. */
export const STEP_SELECT = `
SELECT se.*, i.job_name, c.short_context, c.serialized_context
  FROM batch_step_execution se
  JOIN batch_job_execution je ON je.job_execution_id = se.job_execution_id
  JOIN batch_job_instance i ON i.job_instance_id = je.job_instance_id
  LEFT JOIN batch_step_execution_context c ON c.step_execution_id = se.step_execution_id`;

/**
 * One statement that updates the step row (optimistic lock on VERSION, as JdbcStepExecutionDao),
 * its context when given ($15 null = unchanged) and reads the job's status — a single round trip.
 */
export const UPDATE_STEP_SQL = `
WITH s AS (
  UPDATE batch_step_execution SET
    status = $3, exit_code = $4, exit_message = $5,
    read_count = $6, write_count = $7, filter_count = $8, commit_count = $9, rollback_count = $10,
    read_skip_count = $11, process_skip_count = $12, write_skip_count = $13,
    start_time = $14::timestamp, end_time = $17::timestamp, last_updated = $18::timestamp, version = version + 1
  WHERE step_execution_id = $1 AND version = $2
  RETURNING step_execution_id, job_execution_id
), c AS (
  UPDATE batch_step_execution_context SET short_context = $15, serialized_context = $16
  WHERE $15::text IS NOT NULL AND step_execution_id = (SELECT step_execution_id FROM s)
)
SELECT j.status, j.version FROM batch_job_execution j JOIN s ON j.job_execution_id = s.job_execution_id`;

export function updateStepValues(se: StepExecution, now: Date): unknown[] {
  const [short, serialized] = se.context.dirty ? contextValues(se.context) : [null, null];
  return [
    se.id,
    se.version,
    se.status,
    code(se.exitStatus),
    message(se.exitStatus.description),
    se.readCount,
    se.writeCount,
    se.filterCount,
    se.commitCount,
    se.rollbackCount,
    se.readSkipCount,
    se.processSkipCount,
    se.writeSkipCount,
    utc(se.startTime),
    short,
    serialized,
    utc(se.endTime),
    utc(now),
  ];
}

/** JdbcStepExecutionDao's insert (VERSION 0, every counter 0) and the step's context row, in one statement. */
export const INSERT_STEP_SQL = `
WITH s AS (
  INSERT INTO batch_step_execution (step_execution_id, version, step_name, job_execution_id, create_time, start_time,
    end_time, status, commit_count, read_count, filter_count, write_count, read_skip_count, write_skip_count,
    process_skip_count, rollback_count, exit_code, exit_message, last_updated)
  VALUES (nextval('batch_step_execution_seq'), 0, $2, $1, $5::timestamp, $6::timestamp, NULL, $3, 0, 0, 0, 0, 0, 0,
    0, 0, $4, '', $5::timestamp)
  RETURNING step_execution_id
), c AS (
  INSERT INTO batch_step_execution_context (step_execution_id, short_context, serialized_context)
  SELECT step_execution_id, $7, $8 FROM s
)
SELECT step_execution_id FROM s`;

/** JdbcJobExecutionDao's insert (VERSION 0, STARTING, UNKNOWN), its parameters and its context. */
export const INSERT_JOB_SQL = `
WITH je AS (
  INSERT INTO batch_job_execution (job_execution_id, version, job_instance_id, create_time, start_time, end_time,
    status, exit_code, exit_message, last_updated)
  VALUES (nextval('batch_job_execution_seq'), 0, $1, $2::timestamp, NULL, NULL, 'STARTING', 'UNKNOWN', '', $2::timestamp)
  RETURNING job_execution_id
), p AS (
  INSERT INTO batch_job_execution_params (job_execution_id, parameter_name, parameter_type, parameter_value, identifying)
  SELECT je.job_execution_id, u.name, u.type, u.value, u.identifying
  FROM je, unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS u(name, type, value, identifying)
), c AS (
  INSERT INTO batch_job_execution_context (job_execution_id, short_context, serialized_context)
  SELECT job_execution_id, $7, $8 FROM je
)
SELECT job_execution_id FROM je`;

/** The newest execution of an instance (JdbcJobExecutionDao's GET_LAST_JOB_EXECUTION_ID), with its context. */
export const LAST_JOB_SQL = `
SELECT je.*, c.short_context, c.serialized_context FROM batch_job_execution je
LEFT JOIN batch_job_execution_context c ON c.job_execution_id = je.job_execution_id
WHERE je.job_instance_id = $1 ORDER BY je.job_execution_id DESC LIMIT 1`;

export const LAST_STEP_SQL = `${STEP_SELECT}
WHERE je.job_instance_id = $1 AND se.step_name = $2 ORDER BY se.step_execution_id DESC LIMIT 1`;

/**
 * The chunk commit's last round trip, as one simple-query text: the step row + context update of
 * UPDATE_STEP_SQL followed by COMMIT. Sending both at once saves a round trip per chunk. Values
 * are inlined through the driver's `escapeLiteral` (the simple protocol has no parameters).
 *
 * If the version check matches no row, the guard column fails the statement (an int cast of a
 * text that is not a number), so COMMIT never runs and the chunk's business writes roll back too.
 */
export function commitStepSql(
  se: StepExecution,
  now: Date,
  lit: (s: string) => string,
  /** A table's name under the configured prefix (default: Spring's). */
  table: (name: string) => string = (name) => name,
): string {
  const ts = (d: Date | null) => (d ? `${lit(d.toISOString())}::timestamp` : 'NULL');
  const int = (n: number) => String(Math.trunc(n));
  let contextSql = '';
  if (se.context.dirty) {
    const [short, serialized] = contextValues(se.context);
    contextSql = `, c AS (UPDATE ${table('batch_step_execution_context')}
        SET short_context = ${lit(short)}, serialized_context = ${serialized === null ? 'NULL' : lit(serialized)}
        WHERE step_execution_id = (SELECT step_execution_id FROM s))`;
  }
  return `WITH s AS (
  UPDATE ${table('batch_step_execution')} SET
    status = ${lit(se.status)}, exit_code = ${lit(code(se.exitStatus))},
    exit_message = ${lit(message(se.exitStatus.description))},
    read_count = ${int(se.readCount)}, write_count = ${int(se.writeCount)}, filter_count = ${int(se.filterCount)},
    commit_count = ${int(se.commitCount)}, rollback_count = ${int(se.rollbackCount)},
    read_skip_count = ${int(se.readSkipCount)}, process_skip_count = ${int(se.processSkipCount)},
    write_skip_count = ${int(se.writeSkipCount)},
    start_time = ${ts(se.startTime)}, end_time = ${ts(se.endTime)}, last_updated = ${ts(now)}, version = version + 1
  WHERE step_execution_id = ${int(se.id)} AND version = ${int(se.version)}
  RETURNING step_execution_id, job_execution_id
)${contextSql}
SELECT j.status, j.version,
  CASE WHEN n.c = 0 THEN (${lit(`${STALE_MARK} ${se.id} version ${se.version}; rows updated: `)} || n.c)::int END AS guard
FROM (SELECT count(*) AS c FROM s) n LEFT JOIN s ON true LEFT JOIN ${table('batch_job_execution')} j ON j.job_execution_id = s.job_execution_id;
COMMIT`;
}

/** Text of the guard's error, recognised to turn it into an OptimisticLockingError. */
export const STALE_MARK = 'stale step execution';
