import { describe, expect, it } from 'vitest';
import {
  type ChunkStep,
  chunkStep,
  InMemoryJobRepository,
  iterableReader,
  job,
  ListWriter,
  launchJob,
  parameters,
} from '../index.js';

/**
 * Spring Batch 6 `ChunkOrientedStep` behaviours the engine once differed on (issue 15 item 3):
 * a chunk that fails in read or process counts a rollback; skip and retry classification walks the
 * error's `cause` chain; `retryLimit` without retryable classes retries every error.
 */
class Transient extends Error {}
class Fatal extends Error {}

const run = async (step: ChunkStep<number, number>) => {
  const repo = new InMemoryJobRepository();
  const ex = await launchJob(job('j').start(step).build(), parameters(), {
    repository: repo,
    sleep: async () => {},
  });
  return { ex, se: repo.stepsOf(ex.id)[0]! };
};

const wrapped = (inner: Error) => new Error('driver call failed', { cause: inner });

describe('rollback count of a chunk that fails before its write', () => {
  it('a failing read rolls back the chunk (one rollback), plain step', async () => {
    let n = 0;
    const { ex, se } = await run(
      chunkStep<number, number>('s', {
        reader: { read: () => (++n === 3 ? Promise.reject(new Fatal('disk')) : n) },
        writer: new ListWriter<number>(),
        chunkSize: 2,
      }),
    );
    expect(ex.status).toBe('FAILED');
    expect(se).toMatchObject({ readCount: 2, writeCount: 2, commitCount: 1, rollbackCount: 1 });
  });

  it('a failing synchronous process rolls back the chunk (one rollback), fast path', async () => {
    const { se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1, 2, 3, 4]),
        processor: {
          process: (x) => {
            if (x === 4) throw new Fatal('bad');
            return x;
          },
        },
        writer: new ListWriter<number>(),
        chunkSize: 2,
      }),
    );
    expect(se).toMatchObject({ status: 'FAILED', readCount: 4, commitCount: 1, rollbackCount: 1 });
  });

  it('a non-skippable process failure and a skip limit reached in read each count one rollback', async () => {
    const chunkErrors: unknown[] = [];
    const nonSkippable = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1, 2, 3]),
        processor: {
          process: (x) => {
            if (x === 2) throw new Fatal('no');
            return x;
          },
        },
        writer: new ListWriter<number>(),
        chunkSize: 5,
        listeners: [{ onChunkError: (e) => void chunkErrors.push(e) }],
        faultTolerance: { skip: [Transient] },
      }),
    );
    expect(nonSkippable.se).toMatchObject({ status: 'FAILED', commitCount: 0, rollbackCount: 1 });
    expect(chunkErrors).toHaveLength(1);

    let n = 0;
    const limit = await run(
      chunkStep<number, number>('s', {
        reader: { read: () => (++n > 6 ? null : n % 2 === 0 ? Promise.reject(new Transient('x')) : n) },
        writer: new ListWriter<number>(),
        chunkSize: 10,
        faultTolerance: { skip: [Transient], skipLimit: 2 },
      }),
    );
    expect(limit.se).toMatchObject({ status: 'FAILED', readSkipCount: 2, rollbackCount: 1, commitCount: 0 });
  });
});

describe('classification walks the cause chain', () => {
  it('skips a process failure whose cause is skippable', async () => {
    const writer = new ListWriter<number>();
    const { ex, se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1, 2, 3]),
        processor: {
          process: (x) => {
            if (x === 2) throw wrapped(new Transient('deadlock'));
            return x;
          },
        },
        writer,
        chunkSize: 5,
        faultTolerance: { skip: [Transient] },
      }),
    );
    expect(ex.status).toBe('COMPLETED');
    expect(writer.items).toEqual([1, 3]);
    expect(se).toMatchObject({ processSkipCount: 1, rollbackCount: 0 });
  });

  it('a predicate matcher sees a wrapped driver error, and scan isolates the item', async () => {
    const written: number[] = [];
    const { ex, se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1, 2, 3]),
        writer: {
          write: (items) => {
            if (items.includes(2)) throw wrapped(Object.assign(new Error('dup'), { code: '23505' }));
            written.push(...items);
          },
        },
        chunkSize: 3,
        faultTolerance: { skip: [(e) => (e as { code?: string }).code === '23505'] },
      }),
    );
    expect(ex.status).toBe('COMPLETED');
    expect(written).toEqual([1, 3]);
    expect(se).toMatchObject({ writeSkipCount: 1, rollbackCount: 2, commitCount: 1 });
  });

  it('retries an error whose cause is retryable; noRetry/noSkip anywhere in the chain win', async () => {
    let attempts = 0;
    const retried = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1]),
        processor: {
          process: (x) => {
            if (++attempts < 3) throw wrapped(new Transient('busy'));
            return x;
          },
        },
        writer: new ListWriter<number>(),
        chunkSize: 1,
        faultTolerance: { retry: [Transient], retryLimit: 2 },
      }),
    );
    expect(retried.ex.status).toBe('COMPLETED');
    expect(attempts).toBe(3);

    let excludedAttempts = 0;
    const excluded = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1]),
        processor: {
          process: () => {
            excludedAttempts++;
            throw new Transient('outer', { cause: new Fatal('inner') });
          },
        },
        writer: new ListWriter<number>(),
        chunkSize: 1,
        faultTolerance: {
          retry: [Transient],
          noRetry: [Fatal],
          retryLimit: 2,
          skip: [Transient],
          noSkip: [Fatal],
        },
      }),
    );
    expect(excludedAttempts).toBe(1);
    expect(excluded.se).toMatchObject({ status: 'FAILED', processSkipCount: 0 });
  });

  it('a cause cycle does not hang classification', async () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const { se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1]),
        processor: {
          process: () => {
            throw a;
          },
        },
        writer: new ListWriter<number>(),
        chunkSize: 1,
        faultTolerance: { skip: [Transient] },
      }),
    );
    expect(se.status).toBe('FAILED');
  });
});

describe('retryLimit without retryable classes', () => {
  it('retries every error, as Spring Batch 6 retries every Exception', async () => {
    let attempts = 0;
    const writer = new ListWriter<number>();
    const { ex, se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1, 2]),
        writer: {
          write: (items) => {
            if (++attempts < 3) throw new Error('connection reset');
            writer.write(items);
          },
        },
        chunkSize: 2,
        faultTolerance: { retryLimit: 2 },
      }),
    );
    expect(ex.status).toBe('COMPLETED');
    expect(attempts).toBe(3);
    expect(writer.items).toEqual([1, 2]);
    expect(se).toMatchObject({ writeCount: 2, commitCount: 1, rollbackCount: 0 });
  });

  it('still honours noRetry, and gives up after retryLimit extra attempts', async () => {
    let attempts = 0;
    const { se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1]),
        processor: {
          process: () => {
            attempts++;
            throw new Fatal('always');
          },
        },
        writer: new ListWriter<number>(),
        chunkSize: 1,
        faultTolerance: { retryLimit: 3 },
      }),
    );
    expect(attempts).toBe(4);
    expect(se.status).toBe('FAILED');

    let excluded = 0;
    await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1]),
        processor: {
          process: () => {
            excluded++;
            throw new Fatal('always');
          },
        },
        writer: new ListWriter<number>(),
        chunkSize: 1,
        faultTolerance: { retryLimit: 3, noRetry: [Fatal] },
      }),
    );
    expect(excluded).toBe(1);
  });
});
