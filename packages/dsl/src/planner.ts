import {
  appId,
  type ComposedApp,
  type ComposedTask,
  type Flow,
  secondaryStartingAt,
  type Transition,
} from './ast.js';

/** How a child execution ended, as the control plane recorded it. */
export type ChildStatus = 'COMPLETE' | 'FAILED' | 'STOPPED' | 'LOST';

export type ChildOutcome =
  | { readonly state: 'NOT_STARTED' }
  | {
      readonly state: 'RUNNING';
      /** Epoch ms of the launch, for maxWaitTime / maxStartWaitTime. */
      readonly launchedAt?: number;
      /** Epoch ms the child's process started; unset while it waits (queued, pending). */
      readonly startedAt?: number;
    }
  | {
      readonly state: 'TERMINAL';
      readonly status: ChildStatus;
      readonly exitCode: number | null;
      /** The exit message the child set, if any; transitions match it in preference to the code. */
      readonly exitMessage?: string | null;
    };

/** Outcomes by node id (label or app name); a missing id means not started. */
export type ChildOutcomes = Readonly<Record<string, ChildOutcome | undefined>>;

/** SCDF composed task runner settings that can differ per child. */
export interface ChildPlanOptions {
  /** Transitions match COMPLETED/FAILED and the exit code, never the exit message the child set. */
  readonly ignoreExitMessage?: boolean;
  /** ms a child may take from its launch to its end (0 or unset: no limit). */
  readonly maxWaitTime?: number;
  /** ms a child may wait from its launch until it starts running (0 or unset: no limit). */
  readonly maxStartWaitTime?: number;
}

export interface PlanOptions extends ChildPlanOptions {
  /** Upper bound on children running at once (split branches compete for it). Default: no bound. */
  readonly maxConcurrent?: number;
  /** Per node id, overriding the graph-wide settings above. */
  readonly children?: Readonly<Record<string, ChildPlanOptions | undefined>>;
  /** ms the whole composed task may run, counted from `startedAt` (0 or unset: no limit). */
  readonly maxGraphWaitTime?: number;
  /** Epoch ms the composed task started. */
  readonly startedAt?: number;
  /** Epoch ms now; timeouts are only checked when it is given. */
  readonly now?: number;
}

export interface GraphFinish {
  readonly status: 'COMPLETE' | 'FAILED' | 'STOPPED';
  readonly reason: string;
}

export interface Plan {
  /** Node ids to launch now, in text order. */
  readonly launch: readonly string[];
  /** Set once the composed task is over: nothing more will start. */
  readonly finished?: GraphFinish;
  /** Children still running that must be stopped because the task is over (a timeout). */
  readonly stop?: readonly string[];
}

type FlowResult =
  | { readonly kind: 'pending' }
  | { readonly kind: 'done'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly culprit: string }
  | { readonly kind: 'stopped'; readonly reason: string };

type Terminal = Extract<ChildOutcome, { state: 'TERMINAL' }>;

interface Walk {
  readonly task: ComposedTask;
  readonly options: PlanOptions;
  readonly outcomes: ChildOutcomes;
  readonly ready: string[];
  readonly culprits: Set<string>;
}

/**
 * Decides what the composed task does next from what its children did so far. Pure: the server
 * calls it after every child state change and applies the answer (durable orchestration: the
 * recorded outcomes are the whole state, so a restarted server resumes where it was).
 *
 * Semantics follow SCDF's composed task runner: an app's transitions are tried on its exit; with
 * none matching, success continues the flow and failure fails the task; a transition-target app
 * continues after its flow; a split waits for every branch and fails if one did. A STOPPED child
 * stops the task: nothing new starts and the task ends STOPPED when nothing runs any more.
 */
export function planComposedTask(
  task: ComposedTask,
  outcomes: ChildOutcomes,
  options: PlanOptions = {},
): Plan {
  const max = options.maxConcurrent ?? Number.POSITIVE_INFINITY;
  if (!(max >= 1))
    throw new RangeError(`maxConcurrent must be at least 1, got ${String(options.maxConcurrent)}`);
  const timedOut = timeout(outcomes, options);
  if (timedOut) return timedOut;
  const walk: Walk = { task, options, outcomes, ready: [], culprits: new Set() };
  const result = evalFlow(task.flow, walk);
  const values = Object.entries(outcomes);
  const running = values.filter(([, o]) => o?.state === 'RUNNING').length;
  const stopped = values.find(([, o]) => o?.state === 'TERMINAL' && o.status === 'STOPPED');

  if (stopped) {
    if (running > 0) return { launch: [] };
    return { launch: [], finished: { status: 'STOPPED', reason: `Child '${stopped[0]}' was stopped` } };
  }
  if (result.kind === 'pending') {
    const slots = Math.max(0, max - running);
    return { launch: [...new Set(walk.ready)].slice(0, slots) };
  }
  // Wait for stragglers before declaring the end, so no child outlives its parent unnoticed.
  if (running > 0) return { launch: [] };
  switch (result.kind) {
    case 'done':
      return { launch: [], finished: { status: 'COMPLETE', reason: result.reason } };
    case 'failed':
      return { launch: [], finished: { status: 'FAILED', reason: result.reason } };
    case 'stopped':
      return { launch: [], finished: { status: 'STOPPED', reason: result.reason } };
  }
}

/**
 * For restarting a FAILED (or STOPPED) composed task: the outcomes to keep so that the restart
 * resumes at the child that failed. Completed children are kept and not run again; the child
 * whose exit failed the task runs again, even if it ended COMPLETE with an exit status that led
 * to $FAIL; failed, stopped and lost children run again.
 */
export function restartOutcomes(
  task: ComposedTask,
  outcomes: ChildOutcomes,
  options: PlanOptions = {},
): Record<string, ChildOutcome> {
  const walk: Walk = { task, options, outcomes, ready: [], culprits: new Set() };
  evalFlow(task.flow, walk);
  const kept: Record<string, ChildOutcome> = {};
  for (const [id, outcome] of Object.entries(outcomes)) {
    if (outcome?.state === 'TERMINAL' && outcome.status === 'COMPLETE' && !walk.culprits.has(id)) {
      Object.defineProperty(kept, id, {
        value: outcome,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return kept;
}

/**
 * SCDF's maxWaitTime / maxStartWaitTime per child and Batchyard's whole-graph limit: past one, the
 * task fails at once and every running child is to be stopped (nothing outlives the parent).
 */
function timeout(outcomes: ChildOutcomes, options: PlanOptions): Plan | undefined {
  const now = options.now;
  if (now === undefined) return undefined;
  const running = Object.entries(outcomes).flatMap(([id, o]) => (o?.state === 'RUNNING' ? [{ id, o }] : []));
  const fail = (reason: string): Plan => ({
    launch: [],
    stop: running.map((r) => r.id),
    finished: { status: 'FAILED', reason },
  });
  const graphLimit = options.maxGraphWaitTime ?? 0;
  if (graphLimit > 0 && options.startedAt !== undefined && now - options.startedAt > graphLimit) {
    return fail(`The composed task ran longer than maxGraphWaitTime (${graphLimit} ms)`);
  }
  for (const { id, o } of running) {
    if (o.launchedAt === undefined) continue;
    const child = Object.hasOwn(options.children ?? {}, id) ? options.children?.[id] : undefined;
    const maxStart = child?.maxStartWaitTime ?? options.maxStartWaitTime ?? 0;
    const maxWait = child?.maxWaitTime ?? options.maxWaitTime ?? 0;
    if (maxStart > 0 && o.startedAt === undefined && now - o.launchedAt > maxStart) {
      return fail(`Child '${id}' did not start within maxStartWaitTime (${maxStart} ms)`);
    }
    if (maxWait > 0 && now - o.launchedAt > maxWait) {
      return fail(`Child '${id}' did not finish within maxWaitTime (${maxWait} ms)`);
    }
  }
  return undefined;
}

function ignoresExitMessage(id: string, walk: Walk): boolean {
  const child = Object.hasOwn(walk.options.children ?? {}, id) ? walk.options.children?.[id] : undefined;
  return child?.ignoreExitMessage ?? walk.options.ignoreExitMessage ?? false;
}

function evalFlow(flow: Flow, walk: Walk): FlowResult {
  let last = '';
  // Label references only jump forward (the validator forbids loops), so this terminates.
  for (let i = 0; i < flow.elements.length; ) {
    const element = flow.elements[i]!;
    if (element.kind === 'split') {
      const results = element.branches.map((b) => evalFlow(b, walk));
      const settled =
        results.find((r) => r.kind === 'pending') ??
        results.find((r) => r.kind === 'stopped') ??
        results.find((r) => r.kind === 'failed');
      if (settled) return settled;
      last = 'the split';
      i++;
      continue;
    }
    const id = appId(element);
    const outcome = observe(element, walk);
    if (!outcome) return { kind: 'pending' };
    if (outcome.status === 'STOPPED') return { kind: 'stopped', reason: `Child '${id}' was stopped` };
    const ignore = ignoresExitMessage(id, walk);
    const transition = matchTransition(element.transitions, outcome, ignore);
    if (!transition) {
      if (succeeded(outcome)) {
        last = `'${id}'`;
        i++;
        continue;
      }
      walk.culprits.add(id);
      return {
        kind: 'failed',
        culprit: id,
        reason: `Child '${id}' ${describe(outcome)} and no transition handles it`,
      };
    }
    const on = exitStatus(outcome, ignore);
    const target = transition.target;
    switch (target.kind) {
      case 'end':
        return { kind: 'done', reason: `'${id}' exited with ${on}, which leads to $END` };
      case 'fail':
        walk.culprits.add(id);
        return { kind: 'failed', culprit: id, reason: `'${id}' exited with ${on}, which leads to $FAIL` };
      case 'app':
        return runTarget(target.app, walk);
      case 'ref': {
        const index = flow.elements.findIndex((e) => e.kind === 'app' && e.label === target.label);
        if (index > i) {
          i = index;
          continue;
        }
        const app = findTargetApp(flow, target.label);
        // A secondary sequence: it runs, and the flow that jumped there ends as it ends.
        const sequence = app ? undefined : secondaryStartingAt(walk.task, target.label);
        if (sequence) return evalFlow(sequence, walk);
        if (!app) throw new Error(`Unresolved label '${target.label}': validate the task before planning`);
        return runTarget(app, walk);
      }
    }
  }
  return {
    kind: 'done',
    reason: last === '' ? 'Nothing to run' : `All steps completed, the last being ${last}`,
  };
}

/** A transition-target app runs, then its flow is over (SCDF continues after the flow). */
function runTarget(app: ComposedApp, walk: Walk): FlowResult {
  const id = appId(app);
  const outcome = observe(app, walk);
  if (!outcome) return { kind: 'pending' };
  if (outcome.status === 'STOPPED') return { kind: 'stopped', reason: `Child '${id}' was stopped` };
  if (succeeded(outcome)) return { kind: 'done', reason: `Transition target '${id}' completed` };
  walk.culprits.add(id);
  return { kind: 'failed', culprit: id, reason: `Child '${id}' ${describe(outcome)}` };
}

function findTargetApp(flow: Flow, label: string): ComposedApp | undefined {
  for (const e of flow.elements) {
    if (e.kind !== 'app') continue;
    for (const t of e.transitions)
      if (t.target.kind === 'app' && t.target.app.label === label) return t.target.app;
  }
  return undefined;
}

/** The terminal outcome of an app, or undefined after noting it as ready (or running). */
function observe(app: ComposedApp, walk: Walk): Terminal | undefined {
  const id = appId(app);
  const outcome = Object.hasOwn(walk.outcomes, id) ? walk.outcomes[id] : undefined;
  if (outcome?.state === 'TERMINAL') return outcome;
  if (outcome?.state !== 'RUNNING') walk.ready.push(id);
  return undefined;
}

function effectiveExitCode(o: Terminal): number | null {
  return o.exitCode ?? (o.status === 'COMPLETE' ? 0 : null);
}

function succeeded(o: Terminal): boolean {
  return o.status === 'COMPLETE' && effectiveExitCode(o) === 0;
}

/** What status transitions match: the exit message if set (and not ignored), else COMPLETED or FAILED. */
export function exitStatus(o: Terminal, ignoreExitMessage = false): string {
  if (o.exitMessage && !ignoreExitMessage) return o.exitMessage;
  return succeeded(o) ? 'COMPLETED' : 'FAILED';
}

function describe(o: Terminal): string {
  const code = effectiveExitCode(o);
  if (o.status === 'LOST') return 'was lost (its pod or process disappeared)';
  return `failed (${o.status.toLowerCase()}, exit code ${code === null ? 'unknown' : code})`;
}

/**
 * Spring Batch picks the most specific transition: exact statuses and exit codes first, then
 * patterns with '*' or '?', then the bare '*'. Within a rank the first written wins.
 */
export function matchTransition(
  transitions: readonly Transition[],
  o: Terminal,
  ignoreExitMessage = false,
): Transition | undefined {
  const status = exitStatus(o, ignoreExitMessage);
  const code = effectiveExitCode(o);
  const rank = (t: Transition): number => {
    const on = t.on;
    if (on.kind === 'wildcard') return 2;
    if (on.kind === 'exitCode') return 0;
    return /[*?]/.test(on.status) ? 1 : 0;
  };
  const matches = (t: Transition): boolean => {
    const on = t.on;
    if (on.kind === 'wildcard') return true;
    if (on.kind === 'exitCode') return code === on.code;
    return globToRegExp(on.status).test(status);
  };
  for (const r of [0, 1, 2]) {
    const found = transitions.find((t) => rank(t) === r && matches(t));
    if (found) return found;
  }
  return undefined;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${body}$`, 's');
}
