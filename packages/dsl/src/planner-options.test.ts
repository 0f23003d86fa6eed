import { describe, expect, it } from 'vitest';
import { parseComposedTask } from './composed-parser.js';
import { type ChildOutcome, type PlanOptions, planComposedTask } from './planner.js';
import { assertValid } from './validator.js';

// SCDF composed task runner settings: ignoreExitMessage, maxWaitTime, maxStartWaitTime (graph-wide
// and per child), Batchyard's whole-graph limit, and the split concurrency bound per launch.

const task = (dsl: string) => assertValid(parseComposedTask(dsl));
const doneWith = (exitMessage: string, exitCode = 0): ChildOutcome => ({
  state: 'TERMINAL',
  status: 'COMPLETE',
  exitCode,
  exitMessage,
});
const running = (launchedAt: number, startedAt?: number): ChildOutcome => ({
  state: 'RUNNING',
  launchedAt,
  ...(startedAt === undefined ? {} : { startedAt }),
});

describe('ignoreExitMessage', () => {
  const t = task("a 'CUSTOM' -> alert 'COMPLETED' -> next");
  const outcomes = { a: doneWith('CUSTOM') };

  it('by default a transition matches the exit message the child set', () => {
    expect(planComposedTask(t, outcomes).launch).toEqual(['alert']);
  });

  it('graph-wide: transitions see COMPLETED/FAILED instead', () => {
    expect(planComposedTask(t, outcomes, { ignoreExitMessage: true }).launch).toEqual(['next']);
  });

  it('per child, overriding the graph-wide setting either way', () => {
    expect(planComposedTask(t, outcomes, { children: { a: { ignoreExitMessage: true } } }).launch).toEqual([
      'next',
    ]);
    expect(
      planComposedTask(t, outcomes, {
        ignoreExitMessage: true,
        children: { a: { ignoreExitMessage: false } },
      }).launch,
    ).toEqual(['alert']);
  });

  it('exit codes still match when the message is ignored', () => {
    const codes = task('a 3 -> alert');
    expect(planComposedTask(codes, { a: doneWith('X', 3) }, { ignoreExitMessage: true }).launch).toEqual([
      'alert',
    ]);
  });
});

describe('timeouts', () => {
  const t = task('<a || b> && c');
  const base: PlanOptions = { now: 100_000 };

  it('maxWaitTime: a child running longer fails the task and every running child is to be stopped', () => {
    const plan = planComposedTask(
      t,
      { a: running(10_000, 11_000), b: running(95_000, 96_000) },
      { ...base, maxWaitTime: 60_000 },
    );
    expect(plan).toEqual({
      launch: [],
      stop: ['a', 'b'],
      finished: { status: 'FAILED', reason: "Child 'a' did not finish within maxWaitTime (60000 ms)" },
    });
  });

  it('maxStartWaitTime: a child that never started in time', () => {
    const plan = planComposedTask(
      t,
      { a: running(50_000), b: running(99_000, 99_500) },
      { ...base, maxStartWaitTime: 30_000 },
    );
    expect(plan.finished?.reason).toBe("Child 'a' did not start within maxStartWaitTime (30000 ms)");
    expect(
      planComposedTask(t, { a: running(50_000, 51_000) }, { ...base, maxStartWaitTime: 30_000 }).finished,
    ).toBeUndefined();
  });

  it('per child limits override the graph-wide ones', () => {
    const outcomes = { a: running(10_000, 10_000) };
    expect(
      planComposedTask(t, outcomes, { ...base, maxWaitTime: 60_000, children: { a: { maxWaitTime: 0 } } })
        .finished,
    ).toBeUndefined();
    expect(planComposedTask(t, outcomes, { ...base, children: { a: { maxWaitTime: 1_000 } } }).stop).toEqual([
      'a',
    ]);
  });

  it('maxGraphWaitTime: the whole composed task', () => {
    const plan = planComposedTask(
      t,
      { a: running(90_000, 90_000) },
      { ...base, startedAt: 0, maxGraphWaitTime: 99_999 },
    );
    expect(plan.finished).toEqual({
      status: 'FAILED',
      reason: 'The composed task ran longer than maxGraphWaitTime (99999 ms)',
    });
    expect(planComposedTask(t, {}, { ...base, startedAt: 0, maxGraphWaitTime: 100_000 }).launch).toEqual([
      'a',
      'b',
    ]);
  });

  it('without a clock nothing times out', () => {
    expect(planComposedTask(t, { a: running(0, 0) }, { maxWaitTime: 1 }).finished).toBeUndefined();
  });
});

describe('split concurrency per launch', () => {
  it('maxConcurrent bounds the branches started together', () => {
    const t = task('<a || b || c || d> && e');
    expect(planComposedTask(t, {}, { maxConcurrent: 2 }).launch).toEqual(['a', 'b']);
    expect(planComposedTask(t, { a: running(0) }, { maxConcurrent: 2 }).launch).toEqual(['b']);
  });
});
