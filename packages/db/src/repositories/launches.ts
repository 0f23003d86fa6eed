import type { Prisma, TaskExecution } from '../generated/prisma/client.js';
import { type Statement, sqlOf } from '../sql.js';
import type { Db } from './db.js';

/**
 * A launch's writes, one statement each (see prisma/migrations/20261204040000_launch_statement):
 * the count-and-insert with its Spring rows, Idempotency-Key claim and audit row, and the
 * LAUNCHING → PENDING update once the platform resource exists.
 */

export interface LaunchInsert {
  platformName: string;
  platformType: string;
  maxConcurrent: number;
  /** A namespace quota has no room: queue whatever the count says (with this as the reason). */
  waitingFor?: string;
  taskName: string;
  arguments: string[];
  properties: Record<string, string>;
  sealedLaunch?: string | null;
  parentExecutionId?: number | null;
  scheduleName?: string | null;
  restartOfJobExecutionId?: number | null;
  /** A remote partition's step execution (one child execution each: a second is 'partition-taken'). */
  partitionStepExecutionId?: number | null;
  /** Cached reads the statement re-checks (a definition edited or an app re-registered since). */
  definition?: { id: number; version: number };
  app?: { id: number; updatedAt: Date; viaDefault: boolean };
  idempotency?: { principal: string; key: string; requestHash: string; windowMs: number };
  audit?: { data: Prisma.InputJsonValue; principal: string; requestId: string | null };
}

export type LaunchInsertResult =
  | { outcome: 'inserted'; row: TaskExecution; queuePosition: number | null }
  | { outcome: 'stale' }
  | { outcome: 'key-taken' }
  | { outcome: 'partition-taken' };

const LAUNCH: Statement = { name: 'batchyard_launch', text: 'SELECT batchyard_launch($1::jsonb) AS r' };
/**
 * The same, committed without waiting for its WAL flush, then made durable by the next statement.
 * The advisory lock lives until the transaction ends, and a synchronous commit ends only after the
 * flush: every launch of an account would wait out the previous one's fsync (200 concurrent
 * launches measured 281–512 ms that way, 159–214 ms this way). Here the lock goes as soon as the
 * statement has run, and FLUSH — a transaction with an id, committed synchronously, whose commit
 * flushes the WAL up to its own record and so past the launch's — returns only once the launch is
 * on disk; concurrent launches' flushes share fsyncs (group commit). Nothing leaves this function
 * (no Job is created, no answer sent) before then.
 */
const LAUNCH_UNFLUSHED: Statement = {
  name: 'batchyard_launch_unflushed',
  text: "SELECT batchyard_launch($1::jsonb) AS r, set_config('synchronous_commit', 'off', true)",
};
const FLUSH: Statement = { name: 'batchyard_flush', text: 'SELECT pg_current_xact_id()' };

interface RawResult {
  outcome: 'inserted' | 'stale' | 'key-taken' | 'partition-taken';
  row?: Record<string, unknown>;
  queuePosition?: number | null;
}

export async function insertLaunch(db: Db, launch: LaunchInsert): Promise<LaunchInsertResult> {
  const { definition, app, ...rest } = launch;
  const p = {
    ...rest,
    ...(definition ? { definitionId: definition.id, definitionVersion: definition.version } : {}),
    ...(app ? { appId: app.id, appUpdatedAt: app.updatedAt.toISOString(), appDefault: app.viaDefault } : {}),
  };
  const sql = sqlOf(db);
  // Inside a caller's transaction (a beforeInsert hook) the caller's commit is the flush.
  const own = '$disconnect' in db;
  const [{ r }] = (await sql.query<{ r: RawResult }>(own ? LAUNCH_UNFLUSHED : LAUNCH, [
    JSON.stringify(p),
  ])) as [{ r: RawResult }];
  if (own && r.outcome === 'inserted') await sql.query(FLUSH, []);
  if (r.outcome !== 'inserted' || !r.row) return { outcome: r.outcome === 'inserted' ? 'stale' : r.outcome };
  return { outcome: 'inserted', row: executionFromJson(r.row), queuePosition: r.queuePosition ?? null };
}

const MARK_LAUNCHED: Statement = {
  name: 'batchyard_mark_launched',
  text: `WITH old AS (
           SELECT id, status FROM batchyard_task_execution WHERE id = $1 AND status <> 'QUEUED' FOR UPDATE
         ), b AS (
           UPDATE batchyard_task_execution t
              SET status = CASE WHEN old.status = 'LAUNCHING' THEN 'PENDING' ELSE t.status END,
                  external_execution_id = $2, manifest = $3::jsonb,
                  updated_at = CASE WHEN old.status = 'LAUNCHING' THEN now() ELSE t.updated_at END
             FROM old WHERE t.id = old.id
           RETURNING t.*, old.status AS was
         ), s AS (
           UPDATE task_execution t SET external_execution_id = $2
             FROM b WHERE t.task_execution_id = b.id AND t.external_execution_id IS DISTINCT FROM $2
         )
         SELECT to_jsonb(b.*) - 'was' AS r, b.was, set_config('synchronous_commit', 'off', true) FROM b`,
};

/**
 * Records the platform's name for the execution and the manifest, and moves LAUNCHING → PENDING,
 * Spring's row's external id in the same statement. Whatever the row's status — the reconciler may
 * have seen the resource first and moved it on, or a stop arrived — one statement records it;
 * `was` is the status found (STOPPING: the caller stops what it just created). Undefined when the
 * row is gone or queued.
 * Committed without waiting for the WAL flush (synchronous_commit off for this statement's own
 * transaction): if PostgreSQL lost it in a crash, the row is LAUNCHING again and start-up launches
 * it again, which finds the Job it made (deterministic name) — nothing is lost but a round of work.
 * The insert before it stays synchronous: the Job must never exist without its row.
 */
export async function markLaunched(
  db: Db,
  id: number,
  externalId: string,
  manifest: unknown,
): Promise<{ row: TaskExecution; was: TaskExecution['status'] } | undefined> {
  const rows = await sqlOf(db).query<{ r: Record<string, unknown>; was: TaskExecution['status'] }>(
    MARK_LAUNCHED,
    [id, externalId, JSON.stringify(manifest ?? null)],
  );
  return rows[0] ? { row: executionFromJson(rows[0].r), was: rows[0].was } : undefined;
}

const date = (v: unknown): Date | null =>
  v instanceof Date ? v : typeof v === 'string' ? new Date(v) : null;

/** A `to_jsonb(batchyard_task_execution)` as the Prisma row type. */
export function executionFromJson(j: Record<string, unknown>): TaskExecution {
  return {
    id: j.id as number,
    taskName: j.task_name as string,
    status: j.status as TaskExecution['status'],
    arguments: (j.arguments ?? []) as TaskExecution['arguments'],
    properties: (j.properties ?? {}) as TaskExecution['properties'],
    manifest: (j.manifest ?? null) as TaskExecution['manifest'],
    sealedLaunch: (j.sealed_launch ?? null) as string | null,
    platformName: (j.platform_name ?? null) as string | null,
    platformType: (j.platform_type ?? null) as string | null,
    externalExecutionId: (j.external_execution_id ?? null) as string | null,
    parentExecutionId: (j.parent_execution_id ?? null) as number | null,
    scheduleName: (j.schedule_name ?? null) as string | null,
    restartOfJobExecutionId: (j.restart_of_job_execution_id ?? null) as number | null,
    partitionStepExecutionId:
      j.partition_step_execution_id == null ? null : BigInt(j.partition_step_execution_id as number),
    exitCode: (j.exit_code ?? null) as number | null,
    exitMessage: (j.exit_message ?? null) as string | null,
    errorMessage: (j.error_message ?? null) as string | null,
    reason: (j.reason ?? null) as string | null,
    logTail: (j.log_tail ?? null) as string | null,
    queuedAt: date(j.queued_at),
    startTime: date(j.start_time),
    endTime: date(j.end_time),
    createdAt: date(j.created_at) as Date,
    updatedAt: date(j.updated_at) as Date,
  };
}
