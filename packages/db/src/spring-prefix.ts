import {
  BATCH_SEQUENCES,
  DEFAULT_TABLE_PREFIXES,
  prefixedNames,
  type SpringTablePrefixes,
  springName,
  TASK_SEQUENCES,
  tablePrefixesError,
} from '@batchyard/core';
import type { PrismaClient } from './generated/prisma/client.js';

/**
 * Spring Batch's and Spring Cloud Task's table prefixes, per server (one job repository per
 * database, as one JobRepository has one prefix). The job repository is stored once, in the tables
 * the migrations create under Spring's default names; a non-default prefix gives those tables a
 * second name each — a view `<prefix>JOB_EXECUTION` over `batch_job_execution`, which PostgreSQL
 * makes updatable, so Spring's DAOs and the worker insert, update, lock and delete through it — and
 * its own sequences, because a sequence cannot have a second name. Every writer must then draw ids
 * from the prefix's sequences: the server passes the prefix to Spring apps and the worker, and takes
 * its own execution ids from the prefix's TASK_SEQ (`batchyard_next_task_id()`, redefined here).
 *
 * Run at start-up after the migrations, under an advisory lock (replicas start together); every
 * step is idempotent. Sequences only move forward: a sequence behind its table (its prefix was not
 * in use for a while) is advanced past the table's largest id.
 */

export class TablePrefixError extends Error {
  override readonly name = 'TablePrefixError';
}

interface SequenceSpec {
  /** Spring's default name of the sequence. */
  storage: string;
  /** The table and id column its values go to. */
  table: string;
  column: string;
  /** Job instance ids come from two interleaved sequences (Spring Batch 5 and 6). */
  parity?: 'odd' | 'even';
}

const d = (prefix: string, suffix: string) => springName(prefix, suffix);
const B = DEFAULT_TABLE_PREFIXES.batch;
const T = DEFAULT_TABLE_PREFIXES.task;
const SEQUENCES: SequenceSpec[] = [
  {
    storage: d(B, 'JOB_INSTANCE_SEQ'),
    table: d(B, 'JOB_INSTANCE'),
    column: 'job_instance_id',
    parity: 'odd',
  },
  { storage: d(B, 'JOB_SEQ'), table: d(B, 'JOB_INSTANCE'), column: 'job_instance_id', parity: 'even' },
  { storage: d(B, 'JOB_EXECUTION_SEQ'), table: d(B, 'JOB_EXECUTION'), column: 'job_execution_id' },
  { storage: d(B, 'STEP_EXECUTION_SEQ'), table: d(B, 'STEP_EXECUTION'), column: 'step_execution_id' },
  { storage: d(T, 'SEQ'), table: d(T, 'EXECUTION'), column: 'task_execution_id' },
];
const SEQUENCE_NAMES = new Set([
  ...BATCH_SEQUENCES.map((s) => d(B, s)),
  ...TASK_SEQUENCES.map((s) => d(T, s)),
]);

/** The next value a sequence must hand out after `max`, keeping its parity. */
function nextAfter(max: bigint, parity: SequenceSpec['parity']): bigint {
  const n = max + 1n;
  if (parity === 'odd') return n % 2n === 0n ? n + 1n : n;
  if (parity === 'even') return n % 2n === 1n ? n + 1n : n;
  return n;
}

export interface TablePrefixesResult {
  /** Views and sequences created by this call (empty on a second run). */
  created: string[];
  /** Sequences moved forward past their table's ids. */
  advanced: string[];
}

export async function ensureTablePrefixes(
  db: PrismaClient,
  prefixes: Readonly<SpringTablePrefixes>,
): Promise<TablePrefixesResult> {
  const error = tablePrefixesError(prefixes);
  if (error) throw new TablePrefixError(`table prefixes: ${error}`);
  const names = prefixedNames(prefixes);
  const created: string[] = [];
  const advanced: string[] = [];
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('batchyard:spring-table-prefixes'))`;
    const kindOf = async (name: string) =>
      (
        await tx.$queryRaw<{ kind: string; definition: string | null }[]>`
          SELECT c.relkind::text AS kind, pg_get_viewdef(c.oid) AS definition
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relname = ${name}`
      )[0];
    for (const [storage, name] of names) {
      if (storage === name || SEQUENCE_NAMES.has(storage)) continue;
      const found = await kindOf(name);
      if (found && (found.kind !== 'v' || !found.definition?.includes(storage))) {
        throw new TablePrefixError(
          `table prefixes: ${name} exists and is not Batchyard's view of ${storage}; choose another prefix`,
        );
      }
      // `SELECT *` is expanded now: re-created at every start, so columns a migration adds appear.
      await tx.$executeRawUnsafe(`CREATE OR REPLACE VIEW "${name}" AS SELECT * FROM "${storage}"`);
      if (!found) created.push(name);
    }
    for (const s of SEQUENCES) {
      const name = names.get(s.storage)!;
      const max = (
        await tx.$queryRawUnsafe<{ max: bigint }[]>(
          `SELECT coalesce(max("${s.column}"), 0)::int8 AS max FROM "${s.table}"`,
        )
      )[0]!.max;
      const next = nextAfter(max, s.parity);
      const found = await kindOf(name);
      if (found && found.kind !== 'S') {
        throw new TablePrefixError(
          `table prefixes: ${name} exists and is not a sequence; choose another prefix`,
        );
      }
      if (!found) {
        // Past the table's ids and past what the default sequence has handed out.
        const used = (
          await tx.$queryRawUnsafe<{ last: bigint }[]>(`SELECT last_value::int8 AS last FROM "${s.storage}"`)
        )[0]!.last;
        // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers only)
        const start = nextAfter(used > max ? used : max, s.parity);
        await tx.$executeRawUnsafe(
          `CREATE SEQUENCE "${name}" INCREMENT BY ${s.parity ? 2 : 1} START WITH ${start} MAXVALUE 9223372036854775807 NO CYCLE`,
        );
        created.push(name);
        continue;
      }
      const state = (
        await tx.$queryRawUnsafe<{ last: bigint; called: boolean }[]>(
          `SELECT last_value::int8 AS last, is_called AS called FROM "${name}"`,
        )
      )[0]!;
      const willHand = state.called ? state.last + (s.parity ? 2n : 1n) : state.last;
      if (willHand <= max) {
        await tx.$executeRawUnsafe(`SELECT setval('"${name}"', ${next}, false)`);
        advanced.push(name);
      }
    }
    // Batchyard's execution ids are TASK_EXECUTION_IDs: from the same sequence as the apps' own rows.
    const taskSeq = names.get(d(T, 'SEQ'))!;
    await tx.$executeRawUnsafe(
      `CREATE OR REPLACE FUNCTION batchyard_next_task_id() RETURNS bigint LANGUAGE sql VOLATILE
         AS $$ SELECT nextval('"${taskSeq}"') $$`,
    );
  });
  return { created, advanced };
}
