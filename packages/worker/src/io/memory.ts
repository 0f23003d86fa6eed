import type { ItemReader, ItemStream, ItemWriter } from '../model/api.js';
import { ExecutionContext } from '../model/context.js';

/**
 * Reads an array or any (sync) iterable. Restartable: the number of items consumed is saved under
 * `<name>.read.count`; on restart that many items are skipped.
 *
 * @example iterableReader([1, 2, 3])
 */
export class IterableReader<T> implements ItemReader<T>, ItemStream {
  private iterator: Iterator<T> | undefined;
  private array: readonly T[] | undefined;
  private count = 0;

  constructor(
    private readonly source: Iterable<T> | (() => Iterable<T>),
    private readonly name = 'iterableReader',
  ) {}

  open(ctx: ExecutionContext): void {
    const iterable = typeof this.source === 'function' ? this.source() : this.source;
    this.count = 0;
    const skip = ctx.getNumber(`${this.name}.read.count`);
    if (Array.isArray(iterable)) {
      this.array = iterable;
      this.iterator = undefined;
      this.count = Math.min(skip, iterable.length);
      return;
    }
    this.array = undefined;
    this.iterator = iterable[Symbol.iterator]();
    while (this.count < skip && !this.iterator.next().done) this.count++;
  }

  read(): T | null {
    // An array is read by index (no iterator result object per item).
    const array = this.array;
    if (array) {
      if (this.count >= array.length) return null;
      return array[this.count++] as T;
    }
    // Usable outside a step too (tests, scripts): an unopened reader starts from the beginning.
    if (!this.iterator) this.open(new ExecutionContext());
    const next = this.iterator!.next();
    if (next.done) return null;
    this.count++;
    return next.value;
  }

  /** `max` reads at once (arrays are copied by index); stops after a null item as read() would. */
  readChunk(into: T[], max: number): number {
    const array = this.array;
    if (!array) {
      for (let n = 0; n < max; n++) {
        const item = this.read();
        if (item === null || item === undefined) return n;
        into[n] = item;
      }
      return max;
    }
    const from = this.count;
    const end = Math.min(from + max, array.length);
    for (let i = from; i < end; i++) {
      const item = array[i];
      if (item === null || item === undefined) {
        this.count = i + 1;
        return i - from;
      }
      into[i - from] = item as T;
    }
    this.count = end;
    return end - from;
  }

  update(ctx: ExecutionContext): void {
    ctx.put(`${this.name}.read.count`, this.count);
  }
}

export function iterableReader<T>(
  source: Iterable<T> | (() => Iterable<T>),
  name?: string,
): IterableReader<T> {
  return new IterableReader(source, name);
}

/**
 * Collects written items in `items` (tests, benchmarks). Not transactional: a chunk rolled back
 * after `write` stays in the list, which is what the at-least-once contract of non-transactional
 * writers means.
 */
export class ListWriter<T> implements ItemWriter<T> {
  readonly items: T[] = [];

  write(items: readonly T[]): void {
    for (const item of items) this.items.push(item);
  }
}

export function listWriter<T>(): ListWriter<T> {
  return new ListWriter<T>();
}
