import { describe, expect, it } from 'vitest';
import { parseComposedTask } from './composed-parser.js';
import {
  type ChildOutcome,
  type ChildOutcomes,
  type Plan,
  planComposedTask,
  restartOutcomes,
} from './planner.js';
import { assertValid } from './validator.js';

const ok: ChildOutcome = { state: 'TERMINAL', status: 'COMPLETE', exitCode: 0 };
const running: ChildOutcome = { state: 'RUNNING' };
const notStarted: ChildOutcome = { state: 'NOT_STARTED' };
const failed = (exitCode: number | null = 1, exitMessage?: string): ChildOutcome => ({
  state: 'TERMINAL',
  status: 'FAILED',
  exitCode,
  ...(exitMessage === undefined ? {} : { exitMessage }),
});
const done = (exitCode: number, exitMessage?: string): ChildOutcome => ({
  state: 'TERMINAL',
  status: 'COMPLETE',
  exitCode,
  ...(exitMessage === undefined ? {} : { exitMessage }),
});
const stopped: ChildOutcome = { state: 'TERMINAL', status: 'STOPPED', exitCode: 130 };
const lost: ChildOutcome = { state: 'TERMINAL', status: 'LOST', exitCode: null };

const plan = (dsl: string, outcomes: ChildOutcomes, maxConcurrent?: number): Plan =>
  planComposedTask(
    assertValid(parseComposedTask(dsl)),
    outcomes,
    maxConcurrent === undefined ? {} : { maxConcurrent },
  );
const launch = (...ids: string[]): Plan => ({ launch: ids });
const finished = (status: 'COMPLETE' | 'FAILED' | 'STOPPED', reason: string): Plan => ({
  launch: [],
  finished: { status, reason },
});

type Row = [name: string, dsl: string, outcomes: ChildOutcomes, expected: Plan, maxConcurrent?: number];

const sequences: Row[] = [
  ['starts with the first app', 'a && b', {}, launch('a')],
  ['explicit NOT_STARTED counts as not started', 'a && b', { a: notStarted }, launch('a')],
  ['waits while an app runs', 'a && b', { a: running }, launch()],
  ['continues after success', 'a && b', { a: ok }, launch('b')],
  [
    'completes after the last app',
    'a && b',
    { a: ok, b: ok },
    finished('COMPLETE', "All steps completed, the last being 'b'"),
  ],
  [
    'fails on an unhandled failure',
    'a && b',
    { a: failed(3) },
    finished('FAILED', "Child 'a' failed (failed, exit code 3) and no transition handles it"),
  ],
  [
    'a COMPLETE child with a non-zero exit code is a failure',
    'a && b',
    { a: done(2) },
    finished('FAILED', "Child 'a' failed (complete, exit code 2) and no transition handles it"),
  ],
  [
    'a lost child is a failure',
    'a && b',
    { a: lost },
    finished('FAILED', "Child 'a' was lost (its pod or process disappeared) and no transition handles it"),
  ],
  ['labelled apps use their label as id', 'x: a && y: a', { x: ok }, launch('y')],
];

const transitions: Row[] = [
  ["'FAILED' matches a failure without exit message", "a 'FAILED' -> b && c", { a: failed() }, launch('b')],
  ['success skips the FAILED transition', "a 'FAILED' -> b && c", { a: ok }, launch('c')],
  [
    'the transition target ends its flow',
    "a 'FAILED' -> b && c",
    { a: failed(), b: ok },
    finished('COMPLETE', "Transition target 'b' completed"),
  ],
  [
    'a failing target fails the task',
    "a 'FAILED' -> b && c",
    { a: failed(), b: failed(4) },
    finished('FAILED', "Child 'b' failed (failed, exit code 4)"),
  ],
  [
    'the exit message wins over the code',
    "a 'CUSTOM' -> b 'FAILED' -> c",
    { a: failed(1, 'CUSTOM') },
    launch('b'),
  ],
  ["'COMPLETED' matches a success without message", "a 'COMPLETED' -> b && c", { a: ok }, launch('b')],
  ['an exit message on success can route', "a 'PARTIAL' -> b && c", { a: done(0, 'PARTIAL') }, launch('b')],
  [
    'an unmatched message on success continues',
    "a 'PARTIAL' -> b && c",
    { a: done(0, 'OTHER') },
    launch('c'),
  ],
  ['a numeric transition matches the exit code', 'a 2 -> b 3 -> c', { a: failed(3) }, launch('c')],
  ['a numeric transition can route a success', 'a 0 -> b && c', { a: ok }, launch('b')],
  ["'*' matches anything", "a '*' -> z", { a: failed(9, 'WHATEVER') }, launch('z')],
  [
    'exact beats pattern beats wildcard',
    "a '*' -> w 'FAIL*' -> p 'FAILED' -> e",
    { a: failed() },
    launch('e'),
  ],
  ['a pattern beats the wildcard', "a '*' -> w 'FAIL?D' -> p", { a: failed() }, launch('p')],
  [
    '$END completes early',
    "a 'X' -> $END && b",
    { a: done(0, 'X') },
    finished('COMPLETE', "'a' exited with X, which leads to $END"),
  ],
  [
    '$FAIL fails even a success',
    "a 'COMPLETED' -> $FAIL && b",
    { a: ok },
    finished('FAILED', "'a' exited with COMPLETED, which leads to $FAIL"),
  ],
  ['a label reference jumps forward', "a 'FAILED' -> :z && b && z: c", { a: failed() }, launch('z')],
  [
    'and continues after the labelled app',
    "a 'FAILED' -> :z && b && z: c && d",
    { a: failed(), z: ok },
    launch('d'),
  ],
  [
    'a reference to another transition target runs it',
    "a 'F' -> t: err && b 'G' -> :t",
    { a: ok, b: failed(1, 'G') },
    launch('t'),
  ],
  [
    'a handled failure completes the task',
    "a 'FAILED' -> b",
    { a: failed(), b: ok },
    finished('COMPLETE', "Transition target 'b' completed"),
  ],
];

const splits: Row[] = [
  ['starts every branch', '<a || b || c> && d', {}, launch('a', 'b', 'c')],
  ['respects maxConcurrent', '<a || b || c> && d', {}, launch('a', 'b'), 2],
  ['counts running children against the bound', '<a || b || c> && d', { a: running }, launch('b'), 2],
  ['fills a freed slot', '<a || b || c> && d', { a: ok, b: running }, launch('c'), 2],
  ['runs sequences inside branches', '<a && b || c> && d', { a: ok, c: running }, launch('b')],
  ['joins when all branches are terminal', '<a && b || c> && d', { a: ok, b: ok, c: ok }, launch('d')],
  ['waits for the other branches after a failure', '<a || b> && d', { a: failed(), b: running }, launch()],
  [
    'keeps other branches going after a failure (SCDF)',
    '<a || b && c> && d',
    { a: failed(), b: ok },
    launch('c'),
  ],
  [
    'fails the split when a branch failed',
    '<a || b> && d',
    { a: failed(), b: ok },
    finished('FAILED', "Child 'a' failed (failed, exit code 1) and no transition handles it"),
  ],
  [
    'a failure handled inside a branch does not fail the split',
    "<a 'FAILED' -> x || b> && d",
    { a: failed(), x: ok, b: ok },
    launch('d'),
  ],
  [
    '$END inside a branch ends only the branch',
    "<a 'X' -> $END && c || b> && d",
    { a: done(0, 'X'), b: ok },
    launch('d'),
  ],
  [
    '$FAIL inside a branch fails the split',
    "<a 'X' -> $FAIL || b> && d",
    { a: done(0, 'X'), b: ok },
    finished('FAILED', "'a' exited with X, which leads to $FAIL"),
  ],
  ['nested splits', '<<a || b> && c || d> && e', { a: ok, b: ok, d: running }, launch('c')],
  ['split after split', '<a || b> && <c || d>', { a: ok, b: ok }, launch('c', 'd')],
  [
    'completes after the final split',
    '<a || b>',
    { a: ok, b: ok },
    finished('COMPLETE', 'All steps completed, the last being the split'),
  ],
];

const stopping: Row[] = [
  ['a stop waits for running children', '<a || b || c>', { a: stopped, b: running }, launch()],
  [
    'then ends STOPPED without starting more',
    '<a || b || c>',
    { a: stopped, b: ok },
    finished('STOPPED', "Child 'a' was stopped"),
  ],
  [
    'a stopped child ignores its transitions',
    "a '*' -> b",
    { a: stopped },
    finished('STOPPED', "Child 'a' was stopped"),
  ],
];

describe('planComposedTask', () => {
  for (const [group, rows] of [
    ['sequences', sequences],
    ['transitions', transitions],
    ['splits', splits],
    ['stopping', stopping],
  ] as const) {
    describe(group, () => {
      it.each(rows)('%s', (_name, dsl, outcomes, expected, maxConcurrent) => {
        expect(plan(dsl, outcomes, maxConcurrent)).toEqual(expected);
      });
    });
  }

  it('rejects a bound below one', () => {
    expect(() => plan('a', {}, 0)).toThrow(RangeError);
  });

  it('never lists outcomes of inherited object keys as children', () => {
    expect(plan('toString', {})).toEqual(launch('toString'));
  });
});

describe('restartOutcomes', () => {
  const restart = (dsl: string, outcomes: ChildOutcomes): string[] =>
    Object.keys(restartOutcomes(assertValid(parseComposedTask(dsl)), outcomes)).sort();

  it('keeps completed children and resumes at the failed one', () => {
    const outcomes = { a: ok, b: failed() };
    expect(restart('a && b && c', outcomes)).toEqual(['a']);
    expect(plan('a && b && c', restartOutcomes(parseComposedTask('a && b && c'), outcomes))).toEqual(
      launch('b'),
    );
  });

  it('re-runs a COMPLETE child whose exit led to $FAIL', () => {
    expect(restart("a && b 'X' -> $FAIL", { a: ok, b: done(0, 'X') })).toEqual(['a']);
  });

  it('re-runs a child that completed with a failing exit code', () => {
    expect(restart('a && b', { a: ok, b: done(5) })).toEqual(['a']);
  });

  it('keeps the finished branches of a split and re-runs failed, stopped and lost ones', () => {
    expect(restart('<a || b || c || d> && e', { a: ok, b: failed(), c: stopped, d: lost })).toEqual(['a']);
  });

  it('keeps a handled failure path as it was', () => {
    expect(restart("a 'FAILED' -> b && c", { a: failed(), b: failed() })).toEqual([]);
    expect(restart("a 'X' -> b && c", { a: done(0, 'X'), b: failed() })).toEqual(['a']);
  });
});
