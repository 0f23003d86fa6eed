import { describe, expect, it } from 'vitest';
import { KeyedCoalescer } from './coalesce.js';

/** A run that waits until the test lets it finish. */
function gatedWork() {
  const runs: string[] = [];
  const gates: (() => void)[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const work = async (value: string) => {
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    runs.push(value);
    await new Promise<void>((resolve) => gates.push(resolve));
    running--;
  };
  const releaseAll = async () => {
    while (gates.length > 0 || running > 0) {
      gates.splice(0).forEach((open) => {
        open();
      });
      await new Promise((r) => setImmediate(r));
    }
  };
  return { work, runs, releaseAll, mostAtOnce: () => mostAtOnce };
}

describe('KeyedCoalescer', () => {
  it('runs at most `limit` keys at once, and every key still runs', async () => {
    const g = gatedWork();
    const c = new KeyedCoalescer(g.work, () => {}, undefined, 2);
    const done = ['a', 'b', 'c', 'd', 'e'].map((k) => c.request(k, k));
    await new Promise((r) => setImmediate(r));
    expect(g.runs).toHaveLength(2);
    await g.releaseAll();
    await Promise.all(done);
    expect(g.mostAtOnce()).toBe(2);
    expect([...g.runs].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('runs each request when they do not overlap', async () => {
    const seen: string[] = [];
    const c = new KeyedCoalescer<string>(
      async (v) => {
        seen.push(v);
      },
      () => {},
    );
    await c.request('job-a', 'one');
    await c.request('job-a', 'two');
    expect(seen).toEqual(['one', 'two']);
    expect(c.active).toBe(0);
  });

  it('folds a burst that arrives during a run into exactly one more run, with the latest request', async () => {
    const g = gatedWork();
    const c = new KeyedCoalescer<string>(g.work, () => {});
    const first = c.request('job-a', 'event-0');
    await new Promise((r) => setImmediate(r));
    const later = Array.from({ length: 10 }, (_, i) => c.request('job-a', `event-${i + 1}`));
    await g.releaseAll();
    await Promise.all([first, ...later]);
    expect(g.runs).toEqual(['event-0', 'event-10']);
    expect(g.mostAtOnce()).toBe(1);
  });

  it('runs different keys side by side', async () => {
    const g = gatedWork();
    const c = new KeyedCoalescer<string>(g.work, () => {});
    const both = [c.request('job-a', 'a'), c.request('job-b', 'b')];
    await new Promise((r) => setImmediate(r));
    expect(c.active).toBe(2);
    await g.releaseAll();
    await Promise.all(both);
    expect(g.mostAtOnce()).toBe(2);
  });

  it('merges what the requests carry', async () => {
    const g = gatedWork();
    const c = new KeyedCoalescer<string>(
      g.work,
      () => {},
      (pending, newer) => `${pending}+${newer}`,
    );
    const first = c.request('job-a', 'x');
    await new Promise((r) => setImmediate(r));
    const second = c.request('job-a', 'y');
    const third = c.request('job-a', 'z');
    await g.releaseAll();
    await Promise.all([first, second, third]);
    expect(g.runs).toEqual(['x', 'x+y+z']);
  });

  it('reports a failed run and still makes the run requested meanwhile', async () => {
    const errors: unknown[] = [];
    const seen: string[] = [];
    let release!: () => void;
    const c = new KeyedCoalescer<string>(
      async (v) => {
        seen.push(v);
        if (v === 'boom') {
          await new Promise<void>((r) => {
            release = r;
          });
          throw new Error('boom');
        }
      },
      (err) => errors.push(err),
    );
    const first = c.request('job-a', 'boom');
    await new Promise((r) => setImmediate(r));
    const second = c.request('job-a', 'after');
    release();
    await Promise.all([first, second]);
    expect(seen).toEqual(['boom', 'after']);
    expect(errors).toHaveLength(1);
    expect(c.active).toBe(0);
  });
});
