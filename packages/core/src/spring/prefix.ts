/**
 * Spring Batch's configurable table prefix (`spring.batch.jdbc.table-prefix`, default `BATCH_`)
 * and Spring Cloud Task's (`spring.cloud.task.tablePrefix`, default `TASK_`), and the table and
 * sequence names each gives. Pure. Names are unquoted SQL identifiers, as Spring's DAOs write them
 * (PostgreSQL folds them to lower case).
 */

export interface SpringTablePrefixes {
  batch: string;
  task: string;
}

/** Spring's own defaults: `BATCH_JOB_EXECUTION`, `TASK_EXECUTION`. */
export const DEFAULT_TABLE_PREFIXES: Readonly<SpringTablePrefixes> = Object.freeze({
  batch: 'BATCH_',
  task: 'TASK_',
});

export const BATCH_TABLES = [
  'JOB_INSTANCE',
  'JOB_EXECUTION',
  'JOB_EXECUTION_PARAMS',
  'JOB_EXECUTION_CONTEXT',
  'STEP_EXECUTION',
  'STEP_EXECUTION_CONTEXT',
] as const;
/** Spring Batch 5 draws job instance ids from JOB_SEQ, 6 from JOB_INSTANCE_SEQ. */
export const BATCH_SEQUENCES = [
  'JOB_SEQ',
  'JOB_INSTANCE_SEQ',
  'JOB_EXECUTION_SEQ',
  'STEP_EXECUTION_SEQ',
] as const;
export const TASK_TABLES = ['EXECUTION', 'EXECUTION_PARAMS', 'TASK_BATCH', 'LOCK'] as const;
export const TASK_SEQUENCES = ['SEQ'] as const;

export type BatchTable = (typeof BATCH_TABLES)[number];
export type TaskTable = (typeof TASK_TABLES)[number];

/** The longest suffix is STEP_EXECUTION_CONTEXT (22): PostgreSQL names hold 63 bytes. */
const MAX_PREFIX = 40;
const PREFIX = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Why `prefix` cannot be a table prefix, or undefined. */
export function tablePrefixError(prefix: string): string | undefined {
  if (!PREFIX.test(prefix)) {
    return `'${prefix}' must start with a letter and hold only letters, digits and underscores`;
  }
  if (prefix.length > MAX_PREFIX) return `'${prefix}' is longer than ${MAX_PREFIX} characters`;
  return undefined;
}

export const isDefaultPrefixes = (p: Readonly<SpringTablePrefixes>): boolean =>
  p.batch.toLowerCase() === DEFAULT_TABLE_PREFIXES.batch.toLowerCase() &&
  p.task.toLowerCase() === DEFAULT_TABLE_PREFIXES.task.toLowerCase();

/** The lower-case name PostgreSQL gives `<prefix><suffix>` written unquoted. */
export const springName = (prefix: string, suffix: string): string => `${prefix}${suffix}`.toLowerCase();

/** Every table and sequence name a prefix renames, from Spring's default one. */
export function prefixedNames(p: Readonly<SpringTablePrefixes>): Map<string, string> {
  const names = new Map<string, string>();
  for (const t of [...BATCH_TABLES, ...BATCH_SEQUENCES]) {
    names.set(springName(DEFAULT_TABLE_PREFIXES.batch, t), springName(p.batch, t));
  }
  for (const t of [...TASK_TABLES, ...TASK_SEQUENCES]) {
    names.set(springName(DEFAULT_TABLE_PREFIXES.task, t), springName(p.task, t));
  }
  return names;
}

/** Why the two prefixes cannot be used together (one's names are the other's), or undefined. */
export function tablePrefixesError(p: Readonly<SpringTablePrefixes>): string | undefined {
  const error = tablePrefixError(p.batch) ?? tablePrefixError(p.task);
  if (error) return error;
  const map = prefixedNames(p);
  const names = [...map.values()];
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash) return `the batch and task prefixes both name ${clash}`;
  // A renamed table must not take the name of a table Spring's defaults give (the storage).
  const taken = [...map].find(([from, to]) => from !== to && map.has(to));
  return taken ? `${taken[1]} is the name of a job repository table of Spring's default prefixes` : undefined;
}

/**
 * A statement written with Spring's default names (`batch_job_execution`, `task_seq`, in any
 * case), with the prefixed names instead. Only whole names are replaced: `task_execution_id` and
 * `batchyard_task_execution` stay as they are. For the job repository's own statements only.
 */
export function prefixSql(sql: string, p: Readonly<SpringTablePrefixes>): string {
  if (isDefaultPrefixes(p)) return sql;
  const names = prefixedNames(p);
  const pattern = new RegExp(`(?<![A-Za-z0-9_$])(${[...names.keys()].join('|')})(?![A-Za-z0-9_$])`, 'gi');
  return sql.replace(pattern, (m) => names.get(m.toLowerCase()) ?? m);
}
