import type { ItemProcessor, ItemReader, ItemWriter, SqlClient } from '../model/api.js';
import type { JobExecution, StepExecution } from '../model/execution.js';
import type { ChunkStep } from '../model/step.js';

/**
 * The chunk loop's hot path for steps without listeners, fault tolerance or concurrent processing.
 * It does what the general path does (read up to chunkSize, process, null = filtered, write the
 * non-null results) with three savings that matter at millions of items a second:
 *
 * - synchronous while the reader/processor/writer return plain values: no promise and no microtask
 *   per item (or per chunk); the first promise switches that chunk to an awaiting continuation;
 * - one input buffer reused across chunks, processed in place; the writer still gets a fresh array of
 *   exactly the chunk's items (it may keep it, as with Spring Batch's `Chunk`);
 * - counters kept in locals and added to the step execution once per chunk.
 */
export function isFastPath(step: ChunkStep): boolean {
  return !step.listeners?.length && !step.faultTolerance && processConcurrencyOf(step) <= 1;
}

/** Items processed at once: the step's `processConcurrency`, else the processor's own, else 1. */
export function processConcurrencyOf(step: ChunkStep): number {
  return Math.max(1, step.processConcurrency ?? step.processor?.concurrency ?? 1);
}

/**
 * One `then` lookup, no `instanceof`: for the plain objects readers return, V8 answers a missing
 * property from its inline cache; native promises and other thenables alike have a `then` function.
 */
function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

export class FastChunk {
  /** Pre-sized and written by index (no push, no growth); `count` items of it are the chunk. */
  private readonly buffer: unknown[];
  private count = 0;
  private readonly reader: ItemReader<unknown>;
  private readonly processor: ItemProcessor<unknown, unknown> | undefined;
  private readonly writer: ItemWriter<unknown>;
  private readonly chunkSize: number;

  constructor(step: ChunkStep) {
    this.reader = step.reader;
    this.processor = step.processor;
    this.writer = step.writer;
    this.chunkSize = step.chunkSize;
    // Filled by push, not `new Array(n)`: V8 keeps a pushed array "packed", a pre-sized one stays
    // "holey" for good, and every load from it (and from the slices handed to the writer) then
    // pays a hole check.
    this.buffer = [];
    for (let i = 0; i < step.chunkSize; i++) this.buffer.push(undefined);
  }

  /** Items read into the current chunk. */
  get size(): number {
    return this.count;
  }

  /** Reads the next chunk into the buffer; false once the reader is exhausted. */
  read(se: StepExecution): boolean | Promise<boolean> {
    const buffer = this.buffer;
    const reader = this.reader;
    const size = this.chunkSize;
    if (reader.readChunk) {
      const n = reader.readChunk(buffer, size);
      this.count = n;
      se.readCount += n;
      return n === size;
    }
    this.count = 0;
    for (let i = 0; i < size; i++) {
      const item = reader.read();
      if (isThenable(item)) {
        this.count = i;
        se.readCount += i;
        return this.readAsync(se, item, i);
      }
      if (item === null || item === undefined) {
        this.count = i;
        se.readCount += i;
        return false;
      }
      buffer[i] = item;
    }
    this.count = size;
    se.readCount += size;
    return true;
  }

  private async readAsync(se: StepExecution, pending: PromiseLike<unknown>, from: number): Promise<boolean> {
    const buffer = this.buffer;
    let next: unknown = pending;
    for (let i = from; i < this.chunkSize; i++) {
      const item = isThenable(next) ? await next : next;
      if (item === null || item === undefined) return false;
      buffer[i] = item;
      this.count = i + 1;
      se.readCount++;
      if (i + 1 < this.chunkSize) next = this.reader.read();
    }
    return true;
  }

  /** Processes the buffer in place; returns the items to write (a new array). */
  process(se: StepExecution): unknown[] | Promise<unknown[]> {
    const buffer = this.buffer;
    const processor = this.processor;
    const count = this.count;
    if (!processor) return buffer.slice(0, count);
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const out = processor.process(buffer[i]);
      if (isThenable(out)) {
        se.filterCount += i - kept;
        return this.processAsync(se, out, i, kept);
      }
      if (out === null || out === undefined) continue;
      buffer[kept++] = out;
    }
    se.filterCount += count - kept;
    return buffer.slice(0, kept);
  }

  private async processAsync(
    se: StepExecution,
    pending: PromiseLike<unknown>,
    from: number,
    keptSoFar: number,
  ): Promise<unknown[]> {
    const buffer = this.buffer;
    const processor = this.processor!;
    let kept = keptSoFar;
    let out: unknown = await pending;
    for (let i = from; ; ) {
      if (out === null || out === undefined) se.filterCount++;
      else buffer[kept++] = out;
      if (++i >= this.count) break;
      out = processor.process(buffer[i]);
      if (isThenable(out)) out = await out;
    }
    return buffer.slice(0, kept);
  }

  /** Writes `items` (writeCount on success); nothing to write is not a call. */
  write(
    se: StepExecution,
    jobExecution: JobExecution,
    items: unknown[],
    tx: SqlClient | undefined,
  ): void | Promise<void> {
    if (items.length === 0) return;
    const done = this.writer.write(items, { tx, stepExecution: se, jobExecution });
    if (isThenable(done)) {
      return Promise.resolve(done).then(() => {
        se.writeCount += items.length;
      });
    }
    se.writeCount += items.length;
  }
}
