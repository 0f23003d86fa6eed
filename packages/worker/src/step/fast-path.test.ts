import { describe, expect, it } from 'vitest';
import {
  chunkStep,
  InMemoryJobRepository,
  IterableReader,
  iterableReader,
  job,
  ListWriter,
  launchJob,
  parameters,
} from '../index.js';
import { ExecutionContext } from '../model/context.js';

describe('chunk fast path', () => {
  it('switches between plain values and promises mid-chunk, keeping order, filters and counters', async () => {
    let n = 0;
    const chunks: number[][] = [];
    const repo = new InMemoryJobRepository();
    const ex = await launchJob(
      job('j')
        .start(
          chunkStep<number, number>('s', {
            // every third read is async; the 11th returns end of input
            reader: { read: () => (++n > 10 ? null : n % 3 === 0 ? Promise.resolve(n) : n) },
            // odd items async, multiples of 4 filtered
            processor: {
              process: (x) => (x % 4 === 0 ? null : x % 2 ? Promise.resolve(x * 10) : x * 10),
            },
            // keeps the arrays it is given: each must be its own, as with Spring Batch's Chunk
            writer: { write: (items) => void chunks.push(items as number[]) },
            chunkSize: 4,
          }),
        )
        .build(),
      parameters(),
      { repository: repo },
    );
    expect(ex.status).toBe('COMPLETED');
    expect(chunks).toEqual([
      [10, 20, 30],
      [50, 60, 70],
      [90, 100],
    ]);
    expect(repo.stepsOf(ex.id)[0]).toMatchObject({
      readCount: 10,
      filterCount: 2,
      writeCount: 8,
      commitCount: 3,
      rollbackCount: 0,
    });
  });

  it('an async writer is awaited before the next chunk is read', async () => {
    const events: string[] = [];
    let n = 0;
    await launchJob(
      job('j')
        .start(
          chunkStep<number, number>('s', {
            reader: {
              read: () => {
                events.push(`read ${n + 1}`);
                return ++n > 2 ? null : n;
              },
            },
            writer: {
              write: async (items) => {
                await new Promise((ok) => setImmediate(ok));
                events.push(`wrote ${items.join()}`);
              },
            },
            chunkSize: 1,
          }),
        )
        .build(),
      parameters(),
      { repository: new InMemoryJobRepository() },
    );
    expect(events).toEqual(['read 1', 'wrote 1', 'read 2', 'wrote 2', 'read 3']);
  });
});

describe('readChunk (in-memory readers)', () => {
  it('does what the same number of read() calls would: a null element ends the input', () => {
    const ctx = new ExecutionContext();
    const a = new IterableReader([1, 2, null as unknown as number, 4]);
    const b = new IterableReader([1, 2, null as unknown as number, 4]);
    a.open(ctx);
    b.open(ctx);
    const into: number[] = [];
    expect(a.readChunk(into, 3)).toBe(2);
    expect(into).toEqual([1, 2]);
    expect([b.read(), b.read(), b.read()]).toEqual([1, 2, null]);
    const ca = new ExecutionContext();
    const cb = new ExecutionContext();
    a.update(ca);
    b.update(cb);
    expect(ca.toJSON()).toEqual(cb.toJSON());
  });

  it('reads a generator and an array in chunks, and restarts at the committed count', async () => {
    const gen = function* () {
      for (let i = 1; i <= 5; i++) yield i;
    };
    for (const source of [gen, [1, 2, 3, 4, 5]]) {
      const writer = new ListWriter<number>();
      let fail = true;
      const repo = new InMemoryJobRepository();
      const j = job('r')
        .start(
          chunkStep<number, number>('s', {
            reader: iterableReader(source),
            writer: {
              write: (items) => {
                if (fail && items.includes(3)) throw new Error('once');
                writer.write(items);
              },
            },
            chunkSize: 2,
          }),
        )
        .build();
      expect((await launchJob(j, parameters(), { repository: repo })).status).toBe('FAILED');
      fail = false;
      expect((await launchJob(j, parameters(), { repository: repo })).status).toBe('COMPLETED');
      expect(writer.items).toEqual([1, 2, 3, 4, 5]);
    }
  });
});

describe('ExecutionContext checkpoint', () => {
  it('copies nothing until a change, and restores data and dirty flag on rollback', () => {
    const ctx = new ExecutionContext({ a: 1 });
    ctx.checkpoint();
    ctx.restoreCheckpoint();
    expect(ctx.toJSON()).toEqual({ a: 1 });
    expect(ctx.dirty).toBe(false);

    ctx.checkpoint();
    ctx.put('a', 2);
    ctx.put('b', 'x');
    ctx.remove('a');
    expect(ctx.dirty).toBe(true);
    ctx.restoreCheckpoint();
    expect(ctx.toJSON()).toEqual({ a: 1 });
    expect(ctx.dirty).toBe(false);

    ctx.checkpoint();
    ctx.put('a', 3);
    ctx.commitCheckpoint();
    ctx.put('a', 4);
    ctx.restoreCheckpoint(); // no checkpoint any more: nothing to go back to
    expect(ctx.get('a')).toBe(4);
    expect(ctx.dirty).toBe(true);
  });
});
