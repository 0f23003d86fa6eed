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

class Transient extends Error {}
class Bad extends Error {}

const run = async (
  step: ReturnType<typeof chunkStep<number, number>>,
  sleep?: (ms: number) => Promise<void>,
) => {
  const repo = new InMemoryJobRepository();
  const ex = await launchJob(job('j').start(step).build(), parameters(), { repository: repo, sleep });
  return { ex, se: repo.stepsOf(ex.id)[0]! };
};

describe('retry and skip', () => {
  it('retries a failing write with backoff, then succeeds', async () => {
    let failures = 2;
    const sleeps: number[] = [];
    const writer = new ListWriter<number>();
    const { ex, se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1, 2, 3]),
        writer: {
          write: (items, ctx) => {
            if (failures-- > 0) throw new Transient('db busy');
            writer.write(items);
            void ctx;
          },
        },
        chunkSize: 3,
        faultTolerance: { retry: [Transient], retryLimit: 2, backoff: { initialMs: 10, multiplier: 3 } },
      }),
      async (ms) => void sleeps.push(ms),
    );
    expect(ex.status).toBe('COMPLETED');
    expect(writer.items).toEqual([1, 2, 3]);
    expect(sleeps).toEqual([10, 30]);
    expect(se).toMatchObject({ writeCount: 3, commitCount: 1, rollbackCount: 0 });
  });

  it('retry exhausted in process, then the item is skipped', async () => {
    let attempts = 0;
    const writer = new ListWriter<number>();
    const { ex, se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1, 2, 3]),
        processor: {
          process: (n) => {
            if (n === 2) {
              attempts++;
              throw new Transient('always');
            }
            return n;
          },
        },
        writer,
        chunkSize: 5,
        faultTolerance: { retry: [Transient], retryLimit: 2, skip: [Transient], skipLimit: 1 },
      }),
    );
    expect(ex.status).toBe('COMPLETED');
    expect(attempts).toBe(3);
    expect(writer.items).toEqual([1, 3]);
    expect(se).toMatchObject({
      readCount: 3,
      writeCount: 2,
      processSkipCount: 1,
      commitCount: 1,
      rollbackCount: 0,
    });
  });

  it('retry exhausted in write → scan mode isolates the item without re-running the processor', async () => {
    const processed: number[] = [];
    const written: number[] = [];
    const skipped: number[] = [];
    const { ex, se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1, 2, 3, 4, 5]),
        processor: {
          process: (n) => {
            processed.push(n);
            return n * 10;
          },
        },
        writer: {
          write: (items) => {
            if (items.includes(30)) throw new Bad('constraint');
            written.push(...items);
          },
        },
        chunkSize: 5,
        listeners: [{ onSkipInWrite: (item) => void skipped.push(item as number) }],
        faultTolerance: { retry: [Bad], retryLimit: 1, skip: [Bad] },
      }),
    );
    expect(ex.status).toBe('COMPLETED');
    expect(processed).toEqual([1, 2, 3, 4, 5]);
    expect(written).toEqual([10, 20, 40, 50]);
    expect(skipped).toEqual([30]);
    expect(se).toMatchObject({
      readCount: 5,
      writeCount: 4,
      writeSkipCount: 1,
      commitCount: 1,
      rollbackCount: 2,
    });
  });

  it('a non-skippable write failure fails the step and counts one rollback', async () => {
    const { ex, se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader([1, 2, 3, 4]),
        writer: {
          write: (items) => {
            if (items.includes(3)) throw new Bad('fatal');
          },
        },
        chunkSize: 2,
        faultTolerance: { skip: [Transient] },
      }),
    );
    expect(ex.status).toBe('FAILED');
    expect(se).toMatchObject({
      status: 'FAILED',
      readCount: 4,
      writeCount: 2,
      commitCount: 1,
      rollbackCount: 1,
    });
    expect(se.exitStatus.description).toContain('fatal');
  });

  it('processes concurrently but keeps the order within a chunk', async () => {
    const writer = new ListWriter<number>();
    const { se } = await run(
      chunkStep<number, number>('s', {
        reader: iterableReader(Array.from({ length: 20 }, (_, i) => i)),
        processor: { process: async (n) => new Promise((ok) => setTimeout(() => ok(n), (20 - n) % 7)) },
        writer,
        chunkSize: 8,
        processConcurrency: 4,
      }),
    );
    expect(writer.items).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(se.commitCount).toBe(3);
  });
});
