import type { TaskDefinition, TaskExecution } from '../generated/prisma/client.js';
import { sqlOf } from '../sql.js';
import type { Db } from './db.js';
import { executionFromJson } from './launches.js';
import type { ExecutionFilter } from './task-executions.js';

/**
 * List pages as one prepared statement each (issue 15): the page's rows together with what their
 * DTOs need — each execution's job execution ids and queue position, each definition's newest
 * execution — where the Prisma path made a query for the page, one for the job ids and one per
 * queued row. The statement text depends only on which filters are present, so each shape is
 * prepared once per connection and keeps its plan (no generic `$1 IS NULL OR …` plan).
 */

export interface ExecutionListRow {
  row: TaskExecution;
  jobExecutionIds: number[];
  queuePosition: number | null;
}

// What a DTO shows: not the sealed request, not the log tail (possibly megabytes).
const EXECUTION_JSON = `to_jsonb(e) - 'sealed_launch' - 'log_tail'`;
const EXTRAS = `
  (SELECT coalesce(array_agg(b.job_execution_id ORDER BY b.job_execution_id), '{}')
     FROM task_task_batch b WHERE b.task_execution_id = e.id) AS job_ids,
  CASE WHEN e.status = 'QUEUED' THEN 1 + (
    SELECT count(*)::int FROM batchyard_task_execution q
     WHERE q.platform_name IS NOT DISTINCT FROM e.platform_name AND q.status = 'QUEUED' AND q.id < e.id)
  END AS queue_position`;

interface RawExecution {
  r: Record<string, unknown>;
  /** bigint[]: strings from pg. */
  job_ids: (string | number)[];
  queue_position: number | null;
}

const fromRaw = (x: RawExecution): ExecutionListRow => ({
  row: executionFromJson(x.r),
  jobExecutionIds: x.job_ids.map(Number),
  queuePosition: x.queue_position,
});

/** Newest first, keyset on id, with the same filters as listExecutions. */
export async function executionPage(
  db: Db,
  filter: ExecutionFilter,
  size: number,
  beforeId?: number,
): Promise<ExecutionListRow[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (key: string, sql: (n: number) => string, value: unknown) => {
    values.push(value);
    where.push(sql(values.length));
    return key;
  };
  const shape = [
    filter.taskName ? add('t', (n) => `e.task_name = $${n}`, filter.taskName) : '',
    filter.status ? add('s', (n) => `e.status = $${n}::task_execution_status`, filter.status) : '',
    filter.parentExecutionId
      ? add('p', (n) => `e.parent_execution_id = $${n}`, filter.parentExecutionId)
      : '',
    filter.from ? add('f', (n) => `e.created_at >= $${n}`, filter.from) : '',
    filter.to ? add('u', (n) => `e.created_at < $${n}`, filter.to) : '',
    filter.olderThan ? add('o', (n) => `e.created_at < $${n}`, filter.olderThan) : '',
    beforeId !== undefined ? add('b', (n) => `e.id < $${n}`, beforeId) : '',
  ].join('');
  values.push(size);
  const text = `SELECT ${EXECUTION_JSON} AS r, ${EXTRAS}
    FROM batchyard_task_execution e
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY e.id DESC LIMIT $${values.length}`;
  const rows = await sqlOf(db).query<RawExecution>(
    { name: `batchyard_execution_page_${shape}`, text },
    values,
  );
  return rows.map(fromRaw);
}

export interface DefinitionListRow {
  definition: TaskDefinition;
  latest: ExecutionListRow | null;
}

const DEFINITION_PAGE = (after: boolean) => ({
  name: `batchyard_definition_page_${after ? 'a' : ''}`,
  text: `SELECT d.id, d.name, d.dsl_text, d.description, d.composed, d.parent_name, d.version,
                d.retention_policy, d.created_at, d.updated_at, l.r, l.job_ids, l.queue_position
           FROM (SELECT * FROM task_definition ${after ? 'WHERE name > $2' : ''} ORDER BY name LIMIT $1) d
           LEFT JOIN LATERAL (
             SELECT ${EXECUTION_JSON} AS r, ${EXTRAS}
               FROM batchyard_task_execution e WHERE e.task_name = d.name ORDER BY e.id DESC LIMIT 1
           ) l ON true
          ORDER BY d.name`,
});

interface RawDefinition {
  id: number;
  name: string;
  dsl_text: string;
  description: string | null;
  composed: boolean;
  parent_name: string | null;
  version: number;
  retention_policy: TaskDefinition['retention'];
  created_at: Date;
  updated_at: Date;
  r: Record<string, unknown> | null;
  job_ids: (string | number)[] | null;
  queue_position: number | null;
}

/** Definitions by name (keyset), each with its newest execution: the unfiltered list in one statement. */
export async function definitionPage(db: Db, size: number, afterName?: string): Promise<DefinitionListRow[]> {
  const rows = await sqlOf(db).query<RawDefinition>(
    DEFINITION_PAGE(afterName !== undefined),
    afterName !== undefined ? [size, afterName] : [size],
  );
  return rows.map((d) => ({
    definition: {
      id: d.id,
      name: d.name,
      dslText: d.dsl_text,
      description: d.description,
      composed: d.composed,
      parentName: d.parent_name,
      version: d.version,
      retention: d.retention_policy,
      createdAt: new Date(d.created_at),
      updatedAt: new Date(d.updated_at),
    },
    latest: d.r ? fromRaw({ r: d.r, job_ids: d.job_ids ?? [], queue_position: d.queue_position }) : null,
  }));
}
