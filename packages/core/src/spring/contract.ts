/**
 * The runtime contract SCDF gives a Spring Cloud Task app, as pure functions: the
 * `spring.cloud.task.*` properties naming its pre-created TASK_EXECUTION row, and SCDF's entry
 * point styles deciding how properties reach the container —
 * - `exec` (default): as `--key=value` arguments;
 * - `shell`: as environment variables (`SPRING_CLOUD_TASK_EXECUTIONID=42`), for images whose
 *   entry point is a shell script that does not pass its arguments on;
 * - `boot`: as one `SPRING_APPLICATION_JSON` environment variable.
 * Command-line arguments that are not `--key=value` (job parameters) stay arguments in every style;
 * `--key=value` arguments are properties to Spring Boot, so shell and boot carry them too.
 */

import { DEFAULT_TABLE_PREFIXES, type SpringTablePrefixes } from './prefix.js';

export const ENTRY_POINT_STYLES = ['exec', 'shell', 'boot'] as const;
export type EntryPointStyle = (typeof ENTRY_POINT_STYLES)[number];

export interface SpringTaskIdentity {
  /** The row the server created. Absent for a CronJob's runs: the app then inserts its own row. */
  executionId?: number;
  taskName: string;
  /** Set for the children of a composed task. */
  parentExecutionId?: number | null;
  /**
   * `spring.cloud.task.external-execution-id`, which the app writes into its own row: how the
   * reconciler finds the row of a run it did not pre-create (a CronJob's Job name).
   */
  externalExecutionId?: string;
  /** Passed only when they are not Spring's defaults. */
  tablePrefixes?: Readonly<SpringTablePrefixes>;
}

/** What Spring Cloud Task reads to update the row the server created instead of inserting one. */
export function springTaskProperties(t: SpringTaskIdentity): Record<string, string> {
  const prefixes = t.tablePrefixes ?? DEFAULT_TABLE_PREFIXES;
  return {
    ...(t.executionId !== undefined ? { 'spring.cloud.task.executionid': String(t.executionId) } : {}),
    'spring.cloud.task.name': t.taskName,
    ...(t.parentExecutionId != null
      ? { 'spring.cloud.task.parent-execution-id': String(t.parentExecutionId) }
      : {}),
    ...(t.externalExecutionId !== undefined
      ? { 'spring.cloud.task.external-execution-id': t.externalExecutionId }
      : {}),
    // The server owns the schema: the app must not try to create TASK_* tables.
    'spring.cloud.task.initialize-enabled': 'false',
    ...(prefixes.batch !== DEFAULT_TABLE_PREFIXES.batch
      ? { 'spring.batch.jdbc.table-prefix': prefixes.batch }
      : {}),
    ...(prefixes.task !== DEFAULT_TABLE_PREFIXES.task
      ? { 'spring.cloud.task.tablePrefix': prefixes.task }
      : {}),
  };
}

/** `SPRING_CLOUD_TASK_EXECUTIONID` for `spring.cloud.task.executionid` (Spring Boot's relaxed binding). */
export const envName = (key: string): string => key.toUpperCase().replace(/[.-]/g, '_');

const PROPERTY_ARG = /^--([^=\s]+)=(.*)$/s;

/** Arguments and environment for a container, by entry point style. */
export function applyEntryPointStyle(
  style: EntryPointStyle,
  properties: Readonly<Record<string, string>>,
  args: readonly string[],
): { args: string[]; env: Record<string, string> } {
  if (style === 'exec') {
    return { args: [...Object.entries(properties).map(([k, v]) => `--${k}=${v}`), ...args], env: {} };
  }
  const all: Record<string, string> = {};
  const rest: string[] = [];
  for (const a of args) {
    const m = PROPERTY_ARG.exec(a);
    if (m) all[m[1]!] = m[2]!;
    else rest.push(a);
  }
  Object.assign(all, properties);
  if (style === 'boot') return { args: rest, env: { SPRING_APPLICATION_JSON: JSON.stringify(all) } };
  return { args: rest, env: Object.fromEntries(Object.entries(all).map(([k, v]) => [envName(k), v])) };
}

/** The entry point style of a launch's deployer properties (`entryPointStyle`), or why it is wrong. */
export function entryPointStyle(text: string | undefined): EntryPointStyle | { error: string } {
  if (text === undefined || text.trim() === '') return 'exec';
  const t = text.trim().toLowerCase();
  return (ENTRY_POINT_STYLES as readonly string[]).includes(t)
    ? (t as EntryPointStyle)
    : { error: `'${text}' is not an entry point style (exec, shell or boot)` };
}
