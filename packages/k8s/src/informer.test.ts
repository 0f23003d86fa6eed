import type {
  Informer,
  KubernetesListObject,
  KubernetesObject,
  ListPromise,
  ObjectCache,
  ObjectCallback,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResilientInformer } from './informer.js';

type Callback = ObjectCallback<KubernetesObject> | ((err?: unknown) => void);

/** Behaves like client-node's ListWatch at its edges: list on start, events, 'error' then stopped. */
class FakeInformer implements Informer<KubernetesObject>, ObjectCache<KubernetesObject> {
  starts = 0;
  stops = 0;
  cache: KubernetesObject[] = [];
  private readonly callbacks = new Map<string, Callback[]>();
  constructor(private readonly listFn: ListPromise<KubernetesObject>) {}
  on(verb: string, cb: Callback): void {
    this.callbacks.set(verb, [...(this.callbacks.get(verb) ?? []), cb]);
  }
  off(): void {}
  emit(verb: string, arg?: unknown): void {
    for (const cb of this.callbacks.get(verb) ?? []) (cb as (a: unknown) => void)(arg);
  }
  async start(): Promise<void> {
    this.starts++;
    this.emit('connect');
    try {
      const list = await this.listFn();
      this.cache = list.items;
      for (const item of list.items) this.emit('add', item);
    } catch (error) {
      this.emit('error', error);
    }
  }
  async stop(): Promise<void> {
    this.stops++;
  }
  get(name: string): KubernetesObject | undefined {
    return this.cache.find((o) => o.metadata?.name === name);
  }
  list(): KubernetesObject[] {
    return this.cache;
  }
}

const job = (name: string, written?: string): KubernetesObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name,
    namespace: 'batch',
    managedFields: written ? [{ manager: 'kcm', time: new Date(written) }] : [],
  },
});

const listOf = (...items: KubernetesObject[]): KubernetesListObject<KubernetesObject> => ({
  apiVersion: 'v1',
  kind: 'List',
  metadata: { resourceVersion: '1' },
  items,
});

describe('ResilientInformer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(listFn: ListPromise<KubernetesObject>, extra = {}) {
    let fake: FakeInformer | undefined;
    const added: string[] = [];
    const errors: number[] = [];
    const informer = new ResilientInformer(
      (list) => {
        fake = new FakeInformer(list);
        return fake;
      },
      listFn,
      {
        onAdd: (o) => added.push(o.metadata?.name ?? ''),
        onError: (_e, delay) => errors.push(delay),
        random: () => 0.5,
        now: () => Date.parse('2026-11-22T02:00:03Z'),
        maxWatchAgeMs: 0,
        ...extra,
      },
    );
    return { informer, fake: () => fake!, added, errors };
  }

  it('re-lists and re-watches after maxWatchAgeMs, so a silently dead watch cannot freeze the cache', async () => {
    let version = 0;
    const { informer, fake, added } = setup(async () => listOf(job(`v${++version}`)), {
      maxWatchAgeMs: 60_000,
    });
    await informer.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(added).toEqual(['v1']);
    await vi.advanceTimersByTimeAsync(60_000); // random 0.5 → exactly maxWatchAgeMs
    expect(fake().stops).toBe(1);
    expect(added).toEqual(['v1', 'v2']);
    expect(informer.stats().renewals).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(added).toEqual(['v1', 'v2', 'v3']);
    await informer.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(added).toEqual(['v1', 'v2', 'v3']);
  });

  it('resolves ready after the first list and counts it', async () => {
    const { informer, added } = setup(async () => listOf(job('a', '2026-11-22T02:00:01Z')));
    await informer.start();
    await vi.runAllTimersAsync();
    await informer.ready;
    expect(added).toEqual(['a']);
    expect(informer.stats()).toMatchObject({ lists: 1, errors: 0, reconnects: 0, lastEventLagMs: 2000 });
    await informer.stop();
  });

  it('restarts after errors with exponential backoff, then resets it', async () => {
    let calls = 0;
    const { informer, fake, errors } = setup(async () => {
      calls++;
      if (calls <= 3)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
      return listOf(job('a'));
    });
    await informer.start();
    expect(errors).toEqual([500]);
    await vi.advanceTimersByTimeAsync(500);
    expect(errors).toEqual([500, 1000]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toEqual([500, 1000, 2000]);
    await vi.advanceTimersByTimeAsync(2001);
    await informer.ready;
    expect(fake().starts).toBe(4);
    expect(fake().stops).toBe(3);
    expect(informer.stats()).toMatchObject({
      errors: 3,
      reconnects: 3,
      lists: 1,
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
    // A healthy list reset the backoff: the next error waits the initial delay again.
    fake().emit('error', new Error('watch closed: 500'));
    expect(errors.at(-1)).toBe(500);
    await informer.stop();
  });

  it('jitters the delay and caps it', async () => {
    const { informer, errors } = setup(
      async () => {
        throw new Error('Forbidden');
      },
      { random: () => 1, maxBackoffMs: 1500 },
    );
    await informer.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(errors.slice(0, 4)).toEqual([750, 1500, 2250, 2250]);
    await informer.stop();
  });

  it('does not restart after stop()', async () => {
    const { informer, fake } = setup(async () => {
      throw new Error('boom');
    });
    await informer.start();
    await informer.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake().starts).toBe(1);
  });

  it('calls onResync periodically with the cache', async () => {
    const resyncs: number[] = [];
    const { informer } = setup(async () => listOf(job('a'), job('b')), {
      resyncMs: 1000,
      onResync: (objects: readonly KubernetesObject[]) => resyncs.push(objects.length),
    });
    await informer.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(resyncs).toEqual([2, 2, 2]);
    await informer.stop();
  });
});
