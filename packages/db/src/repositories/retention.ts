import { Prisma } from '../generated/prisma/client.js';
import type { Db } from './db.js';

/**
 * Retention's SQL. Selection walks one task's top-level executions with a keyset cursor over an
 * index (age: `(task_name, end_time, id)`; count: `(task_name, id DESC)`), so every batch costs
 * what its rows cost whatever the history size; deletes go by primary key or by an indexed
 * foreign key (see prisma/migrations/20261204020000_retention).
 */

const TERMINAL = Prisma.raw(`('COMPLETE', 'FAILED', 'STOPPED', 'LOST')`);

/** Every task name with executions: a loose index scan of (task_name, id DESC), one probe per name. */
export async function taskNames(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ name: string }[]>`
    WITH RECURSIVE n AS (
      (SELECT task_name AS name FROM batchyard_task_execution ORDER BY task_name LIMIT 1)
      UNION ALL
      SELECT (SELECT task_name FROM batchyard_task_execution WHERE task_name > n.name ORDER BY task_name LIMIT 1)
        FROM n WHERE n.name IS NOT NULL
    )
    SELECT name FROM n WHERE name IS NOT NULL`;
  return rows.map((r) => r.name);
}

/** The id of the `keepLast`-th newest top-level execution of the task (older ones may go), if any. */
export async function keepLastBoundary(db: Db, taskName: string, keepLast: number): Promise<number | null> {
  const rows = await db.$queryRaw<{ id: number }[]>`
    SELECT id FROM batchyard_task_execution
     WHERE task_name = ${taskName} AND parent_execution_id IS NULL
     ORDER BY id DESC OFFSET ${keepLast - 1} LIMIT 1`;
  return rows[0]?.id ?? null;
}

export interface AgeCursor {
  endTime: Date;
  id: number;
}

export interface Candidate {
  id: number;
  endTime: Date | null;
  createdAt: Date;
}

/** Terminal top-level executions of the task that ended before `cutoff`, after `after`, oldest first. */
export const agedOut = (db: Db, taskName: string, cutoff: Date, after: AgeCursor | null, limit: number) =>
  db.$queryRaw<Candidate[]>`
    SELECT id, end_time AS "endTime", created_at AS "createdAt" FROM batchyard_task_execution
     WHERE task_name = ${taskName} AND end_time < ${cutoff}
       AND (end_time, id) > (${after?.endTime ?? new Date(0)}, ${after?.id ?? 0})
       AND parent_execution_id IS NULL AND status IN ${TERMINAL}
     ORDER BY end_time, id LIMIT ${limit}`;

/**
 * Terminal top-level executions of the task older than the `keepLast` newest (`id < boundary`),
 * after `afterId`, oldest first — without those the age rule already takes (`cutoff`), so the two
 * passes never count an execution twice.
 */
export const beyondCount = (
  db: Db,
  taskName: string,
  boundary: number,
  cutoff: Date | null,
  afterId: number,
  limit: number,
) =>
  db.$queryRaw<Candidate[]>`
    SELECT id, end_time AS "endTime", created_at AS "createdAt" FROM batchyard_task_execution
     WHERE task_name = ${taskName} AND id < ${boundary} AND id > ${afterId}
       AND parent_execution_id IS NULL AND status IN ${TERMINAL}
       AND (${cutoff}::timestamptz IS NULL OR end_time IS NULL OR end_time >= ${cutoff}::timestamptz)
     ORDER BY id LIMIT ${limit}`;

export interface Member {
  root: number;
  id: number;
  /** False when the execution is still live, or a live execution restarts one of its job executions. */
  removable: boolean;
}

/**
 * The executions each root takes with it (itself and its composed descendants), and whether each
 * may go. A root goes only when every member may: a composed run is kept or removed whole.
 */
export const subtrees = (db: Db, roots: number[]) =>
  db.$queryRaw<Member[]>`
    WITH RECURSIVE t AS (
      SELECT id AS root, id, status FROM batchyard_task_execution WHERE id = ANY(${roots}::int[])
      UNION ALL
      SELECT t.root, c.id, c.status FROM batchyard_task_execution c JOIN t ON c.parent_execution_id = t.id
    )
    SELECT t.root, t.id,
           (t.status IN ${TERMINAL} AND NOT EXISTS (
              SELECT 1 FROM task_task_batch tb
                JOIN batchyard_task_execution r ON r.restart_of_job_execution_id = tb.job_execution_id
               WHERE tb.task_execution_id = t.id AND r.status NOT IN ${TERMINAL})) AS removable
      FROM t`;

/** Whole subtrees whose every member may go, as the ids of all their members. */
export function removableIds(members: Member[]): { roots: number[]; ids: number[] } {
  const blocked = new Set(members.filter((m) => !m.removable).map((m) => m.root));
  const ids = members.filter((m) => !blocked.has(m.root));
  return { roots: [...new Set(ids.map((m) => m.root))], ids: ids.map((m) => m.id) };
}

export interface Removed {
  taskExecutions: number;
  jobExecutions: number;
  stepExecutions: number;
  jobInstances: number;
}

/**
 * In the caller's transaction: locks the executions that are (still) terminal, so nothing changes
 * them until commit, and returns their ids. A row that became live again (a relaunch reusing it
 * does not exist, but a reconcile might) is left out and kept.
 */
export async function lockTerminal(db: Db, ids: number[]): Promise<number[]> {
  const rows = await db.$queryRaw<{ id: number }[]>`
    SELECT id FROM batchyard_task_execution WHERE id = ANY(${ids}::int[]) AND status IN ${TERMINAL}
     ORDER BY id FOR UPDATE`;
  return rows.map((r) => r.id);
}

/** The job executions these task executions ran (TASK_TASK_BATCH, by its primary key). */
export async function jobExecutionsOf(db: Db, ids: number[]): Promise<bigint[]> {
  const rows = await db.$queryRaw<{ id: bigint }[]>`
    SELECT DISTINCT job_execution_id AS id FROM task_task_batch WHERE task_execution_id = ANY(${ids}::int8[])`;
  return rows.map((r) => r.id);
}

/**
 * Deletes the task executions and the batch metadata of their jobs: steps (their contexts cascade
 * by primary key), job executions (parameters and context cascade, by indexed foreign keys), the
 * job instances left without any execution (an instance a kept execution ran stays), Spring Cloud
 * Task's rows (parameters and TASK_TASK_BATCH cascade), then Batchyard's rows.
 */
export async function deleteExecutions(db: Db, ids: number[], jobIds: bigint[]): Promise<Removed> {
  const steps = await db.$executeRaw`
    DELETE FROM batch_step_execution WHERE job_execution_id = ANY(${jobIds}::int8[])`;
  const instances = await db.$queryRaw<{ id: bigint }[]>`
    DELETE FROM batch_job_execution WHERE job_execution_id = ANY(${jobIds}::int8[])
    RETURNING job_instance_id AS id`;
  const instanceIds = [...new Set(instances.map((r) => r.id))];
  const jobInstances = await db.$executeRaw`
    DELETE FROM batch_job_instance i WHERE i.job_instance_id = ANY(${instanceIds}::int8[])
       AND NOT EXISTS (SELECT 1 FROM batch_job_execution e WHERE e.job_instance_id = i.job_instance_id)`;
  await db.$executeRaw`DELETE FROM task_execution WHERE task_execution_id = ANY(${ids}::int8[])`;
  const taskExecutions = await db.$executeRaw`
    DELETE FROM batchyard_task_execution WHERE id = ANY(${ids}::int[])`;
  return { taskExecutions, jobExecutions: instances.length, stepExecutions: steps, jobInstances };
}

/** One archived record: what it is, and its row as JSON (column names as in the database). */
export interface ArchiveRecord {
  kind: 'task_execution' | 'job_execution' | 'step_execution';
  row: Record<string, unknown>;
}

/**
 * The rows about to be deleted, for the archive: task executions without `sealed_launch` (sealed
 * launch secrets) and `log_tail` (a task's own output, which no masking can vouch for), with Spring
 * Cloud Task's parameters; job executions with their job name and parameters; step executions
 * with their counts. Execution contexts are not archived. The caller masks the values.
 */
export async function archiveRecords(db: Db, ids: number[], jobIds: bigint[]): Promise<ArchiveRecord[]> {
  const tasks = await db.$queryRaw<{ row: Record<string, unknown> }[]>`
    SELECT (to_jsonb(e) - 'sealed_launch' - 'log_tail') || jsonb_build_object('spring_params',
             (SELECT coalesce(jsonb_agg(p.task_param), '[]'::jsonb) FROM task_execution_params p
               WHERE p.task_execution_id = e.id)) AS row
      FROM batchyard_task_execution e WHERE e.id = ANY(${ids}::int[]) ORDER BY e.id`;
  const jobs = await db.$queryRaw<{ row: Record<string, unknown> }[]>`
    SELECT to_jsonb(j) || jsonb_build_object('job_name', i.job_name,
             'task_execution_ids', (SELECT jsonb_agg(tb.task_execution_id) FROM task_task_batch tb
                                     WHERE tb.job_execution_id = j.job_execution_id),
             'parameters', (SELECT coalesce(jsonb_agg(to_jsonb(p) - 'job_execution_id'), '[]'::jsonb)
                              FROM batch_job_execution_params p WHERE p.job_execution_id = j.job_execution_id)) AS row
      FROM batch_job_execution j JOIN batch_job_instance i ON i.job_instance_id = j.job_instance_id
     WHERE j.job_execution_id = ANY(${jobIds}::int8[]) ORDER BY j.job_execution_id`;
  const steps = await db.$queryRaw<{ row: Record<string, unknown> }[]>`
    SELECT to_jsonb(s) AS row FROM batch_step_execution s
     WHERE s.job_execution_id = ANY(${jobIds}::int8[]) ORDER BY s.job_execution_id, s.step_execution_id`;
  return [
    ...tasks.map((r) => ({ kind: 'task_execution' as const, row: r.row })),
    ...jobs.map((r) => ({ kind: 'job_execution' as const, row: r.row })),
    ...steps.map((r) => ({ kind: 'step_execution' as const, row: r.row })),
  ];
}

/** Task definitions with a retention override (few rows: a sequential scan is the right plan). */
export const overrides = (db: Db) =>
  db.$queryRaw<{ name: string; policy: unknown }[]>`
    SELECT name, retention_policy AS policy FROM task_definition WHERE retention_policy IS NOT NULL`;

/** A definition's stored override; undefined when there is no such definition. */
export async function overrideOf(db: Db, name: string): Promise<{ policy: unknown } | undefined> {
  const rows = await db.$queryRaw<{ policy: unknown }[]>`
    SELECT retention_policy AS policy FROM task_definition WHERE name = ${name}`;
  return rows[0];
}

/** Sets (or with null removes) a definition's override; false when there is no such definition. */
export async function setOverride(db: Db, name: string, policy: object | null): Promise<boolean> {
  const json = policy === null ? null : JSON.stringify(policy);
  const n = await db.$executeRaw`
    UPDATE task_definition SET retention_policy = ${json}::jsonb WHERE name = ${name}`;
  return n > 0;
}
