import type { ChunkContext, ItemStream, ItemWriter } from '../model/api.js';
import type { ExecutionContext } from '../model/context.js';

type StreamWriter<T> = ItemWriter<T> & ItemStream;

/** Opens, updates and closes the delegates that are ItemStreams, in order (a delegate's keys are its own). */
abstract class DelegatingStream implements ItemStream {
  protected abstract streams(): readonly unknown[];

  async open(ctx: ExecutionContext): Promise<void> {
    for (const s of this.streams()) await (s as ItemStream).open?.(ctx);
  }

  async update(ctx: ExecutionContext): Promise<void> {
    for (const s of this.streams()) await (s as ItemStream).update?.(ctx);
  }

  async close(): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (const s of this.streams()) {
      try {
        await (s as ItemStream).close?.();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}

/**
 * Writes each chunk to every delegate, in order, in the chunk's transaction (Spring Batch's
 * `CompositeItemWriter`): a failure of any delegate fails the chunk, so with the Postgres repository
 * and transactional delegates all of them commit or none. Delegates that are ItemStreams are opened,
 * updated and closed with it (give them distinct `name`s).
 *
 * @example compositeWriter(pgWriter({...}), jsonLinesWriter({ path: 'audit.jsonl' }))
 */
export class CompositeWriter<T> extends DelegatingStream implements ItemWriter<T> {
  private readonly delegates: readonly StreamWriter<T>[];

  constructor(delegates: readonly StreamWriter<T>[]) {
    super();
    if (delegates.length === 0) throw new RangeError('compositeWriter needs at least one delegate');
    this.delegates = delegates;
  }

  protected streams(): readonly unknown[] {
    return this.delegates;
  }

  async write(items: readonly T[], ctx: ChunkContext): Promise<void> {
    for (const w of this.delegates) await w.write(items, ctx);
  }
}

export function compositeWriter<T>(...delegates: StreamWriter<T>[]): CompositeWriter<T> {
  return new CompositeWriter(delegates);
}

/** The item was classified to a key that has no writer. */
export class UnclassifiedItemError extends Error {
  constructor(
    readonly key: string,
    readonly item: unknown,
  ) {
    super(`classifierWriter: no writer for key '${key}'`);
    this.name = 'UnclassifiedItemError';
  }
}

export interface ClassifierWriterOptions<T, K extends string> {
  /** The key of the writer an item goes to. */
  classify: (item: T) => K;
  writers: Readonly<Record<K, StreamWriter<T>>>;
}

/**
 * Routes each item to the writer its key names (Spring Batch's `ClassifierCompositeItemWriter`):
 * the chunk is split by key keeping the items' order within each key, and each writer is called
 * once per chunk with its items, in the order of `writers`. An item whose key has no writer fails
 * the chunk (`UnclassifiedItemError`, skippable by class). Writers that are ItemStreams are opened,
 * updated and closed with it.
 *
 * @example classifierWriter({ classify: (p) => (p.cents < 0 ? 'refund' : 'payment'), writers: { refund, payment } })
 */
export class ClassifierWriter<T, K extends string> extends DelegatingStream implements ItemWriter<T> {
  private readonly keys: readonly K[];

  constructor(private readonly options: ClassifierWriterOptions<T, K>) {
    super();
    this.keys = Object.keys(options.writers) as K[];
  }

  protected streams(): readonly unknown[] {
    return this.keys.map((k) => this.options.writers[k]);
  }

  async write(items: readonly T[], ctx: ChunkContext): Promise<void> {
    const groups = new Map<K, T[]>();
    for (const item of items) {
      const key = this.options.classify(item);
      if (!Object.hasOwn(this.options.writers, key)) throw new UnclassifiedItemError(key, item);
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
    for (const key of this.keys) {
      const group = groups.get(key);
      if (group) await this.options.writers[key].write(group, ctx);
    }
  }
}

export function classifierWriter<T, K extends string>(
  options: ClassifierWriterOptions<T, K>,
): ClassifierWriter<T, K> {
  return new ClassifierWriter(options);
}
