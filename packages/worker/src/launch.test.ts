import { describe, expect, it } from 'vitest';
import {
  chunkStep,
  InMemoryJobRepository,
  iterableReader,
  JobExecutionAlreadyRunningError,
  JobInstanceAlreadyCompleteError,
  JobRestartError,
  job,
  ListWriter,
  launchJob,
  parameters,
  taskletStep,
} from './index.js';

class Crash extends Error {}

/** A step over 1..10 (chunk 3) whose writer fails on item `failOn` while `failOn` is set. */
function numbers(state: { failOn?: number }, writer = new ListWriter<number>()) {
  return chunkStep<number, number>('numbers', {
    reader: iterableReader(Array.from({ length: 10 }, (_, i) => i + 1)),
    writer: {
      write: (items, ctx) => {
        if (state.failOn !== undefined && items.includes(state.failOn)) throw new Crash(`at ${state.failOn}`);
        writer.write(items);
        void ctx;
      },
    },
    chunkSize: 3,
  });
}

describe('launch and restart', () => {
  it('restarts from the last committed chunk and then refuses the completed instance', async () => {
    const repo = new InMemoryJobRepository();
    const state: { failOn?: number } = { failOn: 8 };
    const out = new ListWriter<number>();
    const j = job('restart').start(numbers(state, out)).build();
    const first = await launchJob(j, parameters({ run: 1 }), { repository: repo });
    expect(first.status).toBe('FAILED');
    expect(out.items).toEqual([1, 2, 3, 4, 5, 6]);
    expect(repo.stepsOf(first.id)[0]!.context.get('iterableReader.read.count')).toBe(6);
    state.failOn = undefined;
    const second = await launchJob(j, parameters({ run: 1 }), { repository: repo });
    expect(second.status).toBe('COMPLETED');
    expect(second.instance.id).toBe(first.instance.id);
    expect(out.items).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(repo.stepsOf(second.id)[0]).toMatchObject({ readCount: 4, writeCount: 4, commitCount: 2 });
    await expect(launchJob(j, parameters({ run: 1 }), { repository: repo })).rejects.toBeInstanceOf(
      JobInstanceAlreadyCompleteError,
    );
    // Non-identifying parameters do not make a new instance.
    await expect(
      launchJob(j, parameters({ run: 1 }).with('x', 1, { identifying: false }), { repository: repo }),
    ).rejects.toBeInstanceOf(JobInstanceAlreadyCompleteError);
  });

  it('re-runs a completed instance when a step allows start-if-complete; completed steps are skipped', async () => {
    const repo = new InMemoryJobRepository();
    const calls: string[] = [];
    const j = job('sic')
      .start(
        taskletStep('once', () => {
          calls.push('once');
        }),
      )
      .next(
        taskletStep(
          'always',
          () => {
            calls.push('always');
          },
          { allowStartIfComplete: true },
        ),
      )
      .build();
    await launchJob(j, parameters({ a: 1 }), { repository: repo });
    const again = await launchJob(j, parameters({ a: 1 }), { repository: repo });
    expect(again.status).toBe('COMPLETED');
    expect(calls).toEqual(['once', 'always', 'always']);
  });

  it('refuses a running instance and a non-restartable job', async () => {
    const repo = new InMemoryJobRepository();
    let release!: () => void;
    const gate = new Promise<void>((ok) => (release = ok));
    const slow = job('slow')
      .start(
        taskletStep('wait', async () => {
          await gate;
          return 'FINISHED' as const;
        }),
      )
      .build();
    const running = launchJob(slow, parameters({ a: 1 }), { repository: repo });
    await new Promise((ok) => setTimeout(ok, 5));
    await expect(launchJob(slow, parameters({ a: 1 }), { repository: repo })).rejects.toBeInstanceOf(
      JobExecutionAlreadyRunningError,
    );
    release();
    expect((await running).status).toBe('COMPLETED');

    const once = job('once')
      .restartable(false)
      .start(
        taskletStep('boom', () => {
          throw new Crash('x');
        }),
      )
      .build();
    expect((await launchJob(once, parameters({ a: 1 }), { repository: repo })).status).toBe('FAILED');
    await expect(launchJob(once, parameters({ a: 1 }), { repository: repo })).rejects.toBeInstanceOf(
      JobRestartError,
    );
  });

  it('fails the job when a step is past its start limit', async () => {
    const repo = new InMemoryJobRepository();
    const j = job('limited')
      .start(
        taskletStep(
          'flaky',
          () => {
            throw new Crash('again');
          },
          { startLimit: 2 },
        ),
      )
      .build();
    await launchJob(j, parameters({ a: 1 }), { repository: repo });
    await launchJob(j, parameters({ a: 1 }), { repository: repo });
    const third = await launchJob(j, parameters({ a: 1 }), { repository: repo });
    expect(third.status).toBe('FAILED');
    expect(third.exitStatus.description).toContain('startLimit 2');
  });

  it('stops at a chunk boundary on a signal, and on a control-plane stop (STOPPING)', async () => {
    const repo = new InMemoryJobRepository();
    const stop = { requested: false };
    const out = new ListWriter<number>();
    const j = job('stoppable')
      .start(
        chunkStep<number, number>('s', {
          reader: iterableReader(Array.from({ length: 10 }, (_, i) => i)),
          processor: {
            process: (n) => {
              if (n === 4) stop.requested = true; // SIGTERM arrives mid-chunk
              return n;
            },
          },
          writer: out,
          chunkSize: 3,
        }),
      )
      .build();
    const ex = await launchJob(j, parameters({ a: 1 }), { repository: repo, stop });
    expect(ex.status).toBe('STOPPED');
    expect(out.items).toEqual([0, 1, 2, 3, 4, 5]); // the current chunk finished
    expect(repo.stepsOf(ex.id)[0]!.status).toBe('STOPPED');
    const resumed = await launchJob(j, parameters({ a: 1 }), { repository: repo });
    expect(resumed.status).toBe('COMPLETED');
    expect(out.items).toHaveLength(10);

    let id = 0;
    const cp = job('cp')
      .start(
        chunkStep<number, number>('s', {
          reader: iterableReader([1, 2, 3, 4, 5, 6]),
          processor: {
            process: (n) => {
              if (n === 2) repo.requestStop(id);
              return n;
            },
          },
          writer: new ListWriter<number>(),
          chunkSize: 2,
        }),
      )
      .build();
    const ex2 = await launchJob(cp, parameters({ b: 1 }), {
      repository: repo,
      onCreated: async (e) => {
        id = e.id;
      },
    });
    expect(ex2.status).toBe('STOPPED');
    expect(repo.storedJob(ex2.id)!.status).toBe('STOPPED');
    expect(repo.stepsOf(ex2.id)[0]).toMatchObject({ status: 'STOPPED', writeCount: 2, commitCount: 1 });
  });

  it('a stop seen on the last commit completes the step and stops the job before the next one', async () => {
    const repo = new InMemoryJobRepository();
    let id = 0;
    const ran: string[] = [];
    const j = job('boundary')
      .start(
        taskletStep('first', () => {
          ran.push('first');
          repo.requestStop(id);
        }),
      )
      .next(
        taskletStep('second', () => {
          ran.push('second');
        }),
      )
      .build();
    const opts = {
      repository: repo,
      onCreated: async (e: { id: number }) => {
        id = e.id;
      },
    };
    const ex = await launchJob(j, parameters({ c: 1 }), opts);
    expect(ex.status).toBe('STOPPED');
    expect(repo.stepsOf(ex.id).map((s) => `${s.stepName}=${s.status}`)).toEqual(['first=COMPLETED']);
    const again = await launchJob(j, parameters({ c: 1 }), opts);
    expect(again.status).toBe('COMPLETED');
    expect(ran).toEqual(['first', 'second']);
  });
});
