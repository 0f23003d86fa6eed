import { describe, expect, it } from 'vitest';
import {
  decider,
  ExitStatus,
  flow,
  InMemoryJobRepository,
  job,
  launchJob,
  parameters,
  type RepeatStatus,
  type Step,
  selectTransition,
  split,
  taskletStep,
} from '../index.js';

class Boom extends Error {}

/** A tasklet step that records its name and fails while `failing` holds it. */
function recorder() {
  const calls: string[] = [];
  const failing = new Set<string>();
  const step = (name: string, exit?: string): Step =>
    taskletStep(
      name,
      (): RepeatStatus => {
        calls.push(name);
        if (failing.has(name)) throw new Boom(name);
        return 'FINISHED';
      },
      exit ? { listeners: [{ afterStep: () => new ExitStatus(exit) }] } : {},
    );
  return { calls, failing, step };
}

const launch = (j: ReturnType<ReturnType<typeof job>['flow']>, repo = new InMemoryJobRepository(), p = 1) =>
  launchJob(j, parameters({ p }), { repository: repo });

describe('flows', () => {
  it('runs sequential steps and stops at the first failure', async () => {
    const r = recorder();
    r.failing.add('b');
    const ex = await launch(job('seq').start(r.step('a')).next(r.step('b')).next(r.step('c')).build());
    expect(r.calls).toEqual(['a', 'b']);
    expect(ex.status).toBe('FAILED');
    expect(ex.exitStatus.code).toBe('FAILED');
  });

  it('routes on exit status with wildcards; the most specific pattern wins', async () => {
    const r = recorder();
    r.failing.add('a');
    const a = r.step('a');
    const recover = r.step('recover');
    const ex = await launch(
      job('route').start(a).on('FAILED').to(recover).on('*').to(r.step('next')).build(),
    );
    expect(r.calls).toEqual(['a', 'recover']);
    expect(ex.status).toBe('COMPLETED'); // the failure was handled by the flow
    expect(
      selectTransition(
        [
          { on: '*', kind: 'end', exitCode: 'X' },
          { on: 'COMPLETED?WITH*', kind: 'end', exitCode: 'Y' },
          { on: 'C*', kind: 'end', exitCode: 'Z' },
        ],
        'COMPLETED WITH SKIPS',
      ),
    ).toMatchObject({ exitCode: 'Z' });
  });

  it('routes on custom exit codes, end() and fail()', async () => {
    const r = recorder();
    const a = r.step('a', 'COMPLETED WITH SKIPS');
    const ended = await launch(
      job('e').start(a).on('COMPLETED WITH SKIPS').end('SKIPPED').on('*').to(r.step('b')).build(),
    );
    expect(ended.status).toBe('COMPLETED');
    expect(ended.exitStatus.code).toBe('SKIPPED');
    const failed = await launch(job('f').start(r.step('x', 'NEEDS REVIEW')).on('NEEDS*').fail().build());
    expect(failed.status).toBe('FAILED');
    expect(r.calls).toEqual(['a', 'x']);
  });

  it('stopAndRestart stops the job; the restart continues at the given step', async () => {
    const r = recorder();
    const repo = new InMemoryJobRepository();
    const b = r.step('b');
    const j = job('sar')
      .start(r.step('a'))
      .on('COMPLETED')
      .stopAndRestart(b)
      .from(b)
      .next(r.step('c'))
      .build();
    const first = await launch(j, repo);
    expect(first.status).toBe('STOPPED');
    expect(r.calls).toEqual(['a']);
    const second = await launch(j, repo);
    expect(second.status).toBe('COMPLETED');
    expect(r.calls).toEqual(['a', 'b', 'c']);
  });

  it('deciders choose the branch', async () => {
    const r = recorder();
    const parity = decider('parity', (jobExecution) =>
      jobExecution.parameters.number('p') % 2 ? 'ODD' : 'EVEN',
    );
    const j = job('dec')
      .start(r.step('a'))
      .next(parity)
      .on('ODD')
      .to(r.step('odd'))
      .on('EVEN')
      .to(r.step('even'))
      .build();
    await launch(j, new InMemoryJobRepository(), 3);
    await launch(j, new InMemoryJobRepository(), 4);
    expect(r.calls).toEqual(['a', 'odd', 'a', 'even']);
  });

  it('splits run flows in parallel and the worst status wins; a restart re-runs only the failed branch', async () => {
    const r = recorder();
    r.failing.add('b2');
    const repo = new InMemoryJobRepository();
    const s = split(
      'both',
      flow('f1').start(r.step('a1')).next(r.step('a2')).build(),
      flow('f2').start(r.step('b1')).next(r.step('b2')).build(),
    );
    const j = job('split').start(s).next(r.step('after')).build();
    const first = await launch(j, repo);
    expect(first.status).toBe('FAILED');
    expect(r.calls).not.toContain('after');
    r.failing.clear();
    r.calls.length = 0;
    const second = await launch(j, repo);
    expect(second.status).toBe('COMPLETED');
    expect(r.calls.sort()).toEqual(['after', 'b2']);
  });
});
