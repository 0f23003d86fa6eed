import { describe, expect, it } from 'vitest';
import {
  chunkStep,
  InMemoryJobRepository,
  iterableReader,
  job,
  ListWriter,
  launchJob,
  parameters,
} from '../index.js';
import { cgroupCpuLimit, defaultPoolSize } from './pool-size.js';
import { ThreadedProcessError, threadedProcessor } from './threaded-processor.js';

// The pool threads run the built entry (dist/threads/thread-entry.js): build the worker package first.
const MODULE = new URL('./fixtures/work.mjs', import.meta.url);

/** The fixture's error class, as the step's side knows it (rebuilt by name). */
class BadRecord extends Error {
  code?: string;
}

interface In {
  n: number;
  bad?: boolean;
  drop?: boolean;
  flaky?: SharedArrayBuffer;
  flakyFailures?: number;
}
interface Out {
  n: number;
}

const run = async (
  items: In[],
  options: Parameters<typeof chunkStep<In, Out>>[1]['faultTolerance'],
  extra = {},
) => {
  const processor = threadedProcessor<In, Out>({ module: MODULE, threads: 2, errors: [BadRecord] });
  const writer = new ListWriter<Out>();
  const repo = new InMemoryJobRepository();
  const seen: { item: unknown; error: unknown }[] = [];
  const ex = await launchJob(
    job('t')
      .start(
        chunkStep<In, Out>('s', {
          reader: iterableReader(items),
          processor,
          writer,
          chunkSize: 8,
          ...(options ? { faultTolerance: options } : {}),
          listeners: [{ onProcessError: (item, error) => void seen.push({ item, error }) }],
          ...extra,
        }),
      )
      .build(),
    parameters(),
    { repository: repo, sleep: async () => {} },
  );
  return { ex, se: repo.stepsOf(ex.id)[0]!, written: writer.items.map((o) => o.n), processor, seen };
};

describe('threaded processor', () => {
  it('keeps the chunk order while items finish out of order, and filters nulls', async () => {
    const items = Array.from({ length: 40 }, (_, n) => ({ n, drop: n % 10 === 9 }));
    const { ex, se, written, processor } = await run(items, undefined);
    expect(ex.status).toBe('COMPLETED');
    expect(written).toEqual(items.filter((i) => !i.drop).map((i) => i.n * 2));
    expect(se).toMatchObject({ readCount: 40, filterCount: 4, writeCount: 36, commitCount: 5 });
    // 2 threads × 2 tasks queued each × 4 items per task (the hand-off is per task).
    expect(processor.concurrency).toBe(16);
    expect(processor.liveThreads).toBe(0); // destroyed with the step
  });

  it('hands items over a few per task, one per task when asked, and refuses a bad batch size', async () => {
    const one = threadedProcessor<In, Out>({ module: MODULE, threads: 2, itemsPerTask: 1 });
    expect(one.concurrency).toBe(4);
    expect(() => threadedProcessor({ module: MODULE, itemsPerTask: 0 })).toThrow(/itemsPerTask/);
    const items = Array.from({ length: 30 }, (_, n) => ({ n, drop: n % 10 === 9 }));
    const { ex, written } = await run(items, undefined);
    expect(ex.status).toBe('COMPLETED');
    expect(written).toEqual(items.filter((i) => !i.drop).map((i) => i.n * 2));
  });

  it('retries on the pool and skips by class, as in-thread (cause chain, rebuilt error class)', async () => {
    const flaky = new SharedArrayBuffer(4);
    const items: In[] = [{ n: 1 }, { n: 2, flaky, flakyFailures: 2 }, { n: 3, bad: true }, { n: 4 }];
    const { ex, se, written, seen } = await run(items, {
      retry: [BadRecord],
      noRetry: [(e) => (e as { code?: string }).code === 'E_BAD'],
      retryLimit: 2,
      skip: [BadRecord],
    });
    expect(ex.status).toBe('COMPLETED');
    expect(written).toEqual([2, 4, 8]);
    expect(new Int32Array(flaky)[0]).toBe(3); // two failures, then success
    expect(se).toMatchObject({ processSkipCount: 1, writeCount: 3, rollbackCount: 0 });
    const skipped = seen.find((s) => (s.item as In).n === 3)!;
    expect(skipped.error).toBeInstanceOf(ThreadedProcessError);
    expect((skipped.error as Error).cause).toBeInstanceOf(BadRecord);
  });

  it('a throwing item fails the step with an error carrying the item', async () => {
    const items: In[] = [{ n: 1 }, { n: 2 }, { n: 5, bad: true }, { n: 6 }];
    const { ex, se, seen, processor } = await run(items, undefined);
    expect(ex.status).toBe('FAILED');
    expect(se).toMatchObject({ status: 'FAILED', writeCount: 0, rollbackCount: 1 });
    expect(se.exitStatus.description).toContain('bad record 5');
    const error = seen[0]!.error as ThreadedProcessError;
    expect(error).toBeInstanceOf(ThreadedProcessError);
    expect(error.item).toEqual({ n: 5, bad: true });
    const cause = error.cause as BadRecord;
    expect(cause).toBeInstanceOf(BadRecord);
    expect(cause).toMatchObject({ name: 'BadRecord', code: 'E_BAD', message: 'bad record 5' });
    expect(processor.liveThreads).toBe(0);
  });

  it('shuts the pool down when the job is stopped', async () => {
    const stop = { requested: false };
    const processor = threadedProcessor<In, Out>({ module: MODULE, threads: 2 });
    const live: number[] = [];
    const repo = new InMemoryJobRepository();
    const ex = await launchJob(
      job('t')
        .start(
          chunkStep<In, Out>('s', {
            reader: iterableReader(Array.from({ length: 40 }, (_, n) => ({ n }))),
            processor,
            writer: new ListWriter<Out>(),
            chunkSize: 8,
            listeners: [
              {
                afterChunk: () => {
                  live.push(processor.liveThreads);
                  stop.requested = true;
                },
              },
            ],
          }),
        )
        .build(),
      parameters(),
      { repository: repo, stop },
    );
    expect(ex.status).toBe('STOPPED');
    expect(live).toEqual([2]);
    expect(repo.stepsOf(ex.id)[0]).toMatchObject({ status: 'STOPPED', commitCount: 1, writeCount: 8 });
    expect(processor.liveThreads).toBe(0);
  });
});

describe('pool size', () => {
  const files = (map: Record<string, string>) => (path: string) => map[path];
  it('follows the cgroup CPU limit, rounded up, capped by the CPUs Node sees', () => {
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' }))).toBe(2);
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeUndefined();
    expect(
      cgroupCpuLimit(
        files({
          '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '50000',
          '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
        }),
      ),
    ).toBe(1);
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1' }))).toBeUndefined();
    expect(defaultPoolSize(files({ '/sys/fs/cgroup/cpu.max': '400000 100000' }), 2)).toBe(2);
    expect(defaultPoolSize(files({ '/sys/fs/cgroup/cpu.max': '100000 100000' }), 8)).toBe(1);
    expect(defaultPoolSize(files({}), 3)).toBe(3);
  });
});
