import type { ChildOutcome, ChildOutcomes, GraphFinish } from '@batchyard/dsl';

/**
 * The pure half of composed-task orchestration: what a child is launched with, and what the
 * recorded child executions mean to the planner. No I/O, so the rules are tested by tables.
 */

/**
 * Property of a restarted parent naming the execution it resumes. It lives in the parent's
 * properties (not a column) because nothing but the orchestrator reads it, and it is never
 * routed to a child (it matches no `app.`/`deployer.`/`version.` prefix).
 */
export const RESTART_OF = 'composed.restartOf';

export interface ChildRef {
  /** Node id: the label, or the app name when unlabelled. */
  readonly id: string;
  readonly appName: string;
}

/**
 * SCDF routing of the parent's launch properties to one child: `app.<label>.<k>`,
 * `deployer.<label>.<k>` and `version.<label>` become the child's `app.<app>.<k>`,
 * `deployer.<app>.<k>` and `version.<app>` (the child definition is the bare app, so its launch
 * targets the app name); `app.*` and `deployer.*` reach every child. A specific key beats a
 * wildcard for the same setting; properties meant for other children are dropped.
 */
export function childProperties(
  parent: Readonly<Record<string, string>>,
  child: ChildRef,
): Record<string, string> {
  const wildcard: Record<string, string> = {};
  const specific: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    const dot = key.indexOf('.');
    if (dot < 0) continue;
    const kind = key.slice(0, dot);
    const rest = key.slice(dot + 1);
    if (kind === 'version') {
      if (rest === child.id) specific[`version.${child.appName}`] = value;
      continue;
    }
    if (kind !== 'app' && kind !== 'deployer') continue;
    if (rest.startsWith('*.')) {
      wildcard[`${kind}.${child.appName}.${rest.slice(2)}`] = value;
    } else if (rest.startsWith(`${child.id}.`) && rest.length > child.id.length + 1) {
      specific[`${kind}.${child.appName}.${rest.slice(child.id.length + 1)}`] = value;
    }
  }
  return { ...wildcard, ...specific };
}

/**
 * A nested composed child gets the parent's wildcard properties as they are, and `<kind>.<id>.<rest>`
 * as `<kind>.<rest>`: `app.reporting.load.x` reaches the nested graph's `load` as `app.load.x`,
 * `composed.reporting.load.maxWaitTime` its option. The parent's own options stay with the parent.
 */
const PARENT_LIMITS = new Set(['ignoreExitMessage', 'maxWaitTime', 'maxStartWaitTime']);

export function nestedChildProperties(
  parent: Readonly<Record<string, string>>,
  id: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    const dot = key.indexOf('.');
    if (dot < 0) continue;
    const kind = key.slice(0, dot);
    const rest = key.slice(dot + 1);
    if (kind !== 'app' && kind !== 'deployer' && kind !== 'version' && kind !== 'composed') continue;
    if (rest.startsWith('*.') && kind !== 'composed') out[key] = value;
    else if (rest.startsWith(`${id}.`) && rest.length > id.length + 1) {
      const inner = rest.slice(id.length + 1);
      // composed.<id>.maxWaitTime is the parent's limit on this child, not the nested graph's.
      if (kind === 'composed' && PARENT_LIMITS.has(inner)) continue;
      out[`${kind}.${inner}`] = value;
    }
  }
  return out;
}

/** The fields of a task execution row the planner needs. */
export interface ChildRow {
  readonly taskName: string;
  readonly status: string;
  readonly exitCode: number | null;
  readonly exitMessage: string | null;
  /** For the planner's timeouts: when the child was launched, and when its process started. */
  readonly createdAt?: Date;
  readonly startTime?: Date | null;
}

const TERMINAL = new Set(['COMPLETE', 'FAILED', 'STOPPED', 'LOST']);

export function outcomeOf(row: ChildRow): ChildOutcome {
  if (!TERMINAL.has(row.status)) {
    // A child that is still waiting (queued, launching, pending) has not started.
    const started = row.startTime && !['QUEUED', 'LAUNCHING', 'PENDING'].includes(row.status);
    return {
      state: 'RUNNING',
      ...(row.createdAt ? { launchedAt: row.createdAt.getTime() } : {}),
      ...(started && row.startTime ? { startedAt: row.startTime.getTime() } : {}),
    };
  }
  return {
    state: 'TERMINAL',
    status: row.status as 'COMPLETE' | 'FAILED' | 'STOPPED' | 'LOST',
    exitCode: row.exitCode,
    exitMessage: row.exitMessage,
  };
}

/**
 * Outcomes by node id from the parent's child rows (node id = child task name minus
 * `<parent>-`), laid over what a restart inherited. A row of another task is ignored.
 */
export function childOutcomes(
  parentName: string,
  rows: readonly ChildRow[],
  inherited: ChildOutcomes = {},
): Record<string, ChildOutcome> {
  const prefix = `${parentName}-`;
  const outcomes = new Map<string, ChildOutcome>();
  for (const [id, o] of Object.entries(inherited)) if (o) outcomes.set(id, o);
  for (const row of rows) {
    if (!row.taskName.startsWith(prefix)) continue;
    outcomes.set(row.taskName.slice(prefix.length), outcomeOf(row));
  }
  return Object.fromEntries(outcomes);
}

export type ParentStatus = 'COMPLETE' | 'FAILED' | 'STOPPED';

export interface ParentEnd {
  readonly status: ParentStatus;
  readonly exitCode: number;
  readonly exitMessage: string;
}

/** How the parent row ends: exit code 0 only for COMPLETE, the planner's reason as message. */
export function parentEnd(finish: GraphFinish): ParentEnd {
  return {
    status: finish.status,
    exitCode: finish.status === 'COMPLETE' ? 0 : 1,
    exitMessage: finish.reason,
  };
}

/** The parent's arguments go to every child, after the child's own (SCDF passes them through). */
export function childArguments(parentArgs: readonly string[]): string[] {
  return [...parentArgs];
}
