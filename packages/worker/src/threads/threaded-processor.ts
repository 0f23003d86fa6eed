import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { ItemProcessor, ItemStream } from '../model/api.js';
import { defaultPoolSize } from './pool-size.js';
import type { ThreadResult, ThreadTask, WireError } from './wire.js';

// biome-ignore lint/suspicious/noExplicitAny: constructors of any error class must be accepted.
type ErrorClass = abstract new (...args: any[]) => Error;

export interface ThreadedProcessorOptions {
  /**
   * The ES module (plain JavaScript: a path or a file URL) whose export processes one item. It is
   * imported once in each thread; items and results cross by structured clone (plain data, no
   * functions or class instances), `null` filters the item as usual.
   */
  module: string | URL;
  /** The export to call (default `default`). */
  export?: string;
  /** Threads in the pool (default: the pod's CPU limit from its cgroup, else the CPUs Node sees). */
  threads?: number;
  /** Tasks handed to the pool at once per thread, so a thread never waits for the next (default 2). */
  inFlightPerThread?: number;
  /**
   * Items per pool task (default 4). The hand-off — structured clone both ways, the pool's queue,
   * waking the thread — costs about 0.1 ms per task here, so items that take well under a
   * millisecond each go a few at a time; results and errors stay per item. 1: one item per task.
   */
  itemsPerTask?: number;
  /**
   * Error classes rebuilt by name when an error comes back from a thread, so class-based `skip` and
   * `retry` matchers keep working (TypeError, RangeError, SyntaxError and Error are built in).
   */
  errors?: readonly ErrorClass[];
}

/** `process()` failed in a pool thread: `item` is the item, `cause` the rebuilt error. */
export class ThreadedProcessError extends Error {
  constructor(
    readonly item: unknown,
    cause: Error,
  ) {
    super(`process() failed in a worker thread: ${cause.message}`, { cause });
    this.name = 'ThreadedProcessError';
  }
}

/** The compiled entry next to this file (dist); when running from src (tests), the built one. */
function entryFile(): string {
  const sibling = fileURLToPath(new URL('./thread-entry.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  return fileURLToPath(new URL('../../dist/threads/thread-entry.js', import.meta.url));
}

const BUILT_IN: readonly ErrorClass[] = [Error, TypeError, RangeError, SyntaxError];

/**
 * A processor that runs `process()` on a pool of worker threads (piscina), for CPU-bound work that
 * one event loop cannot spread over cores. The chunk loop hands it up to `concurrency` items at
 * once and keeps the chunk's order; skip, retry, filtering and the chunk's transaction behave as
 * with an in-thread processor (a retry runs the item again on the pool). The pool starts when the
 * step opens its streams and is destroyed when the step ends — completed, failed or stopped.
 *
 * @example
 * chunkStep('score', { reader, writer, chunkSize: 500,
 *   processor: threadedProcessor({ module: new URL('./score.js', import.meta.url) }) })
 */
export class ThreadedProcessor<I, O> implements ItemProcessor<I, O>, ItemStream {
  readonly threads: number;
  readonly concurrency: number;
  readonly itemsPerTask: number;
  private readonly module: string;
  private readonly exportName: string;
  private readonly classes: Map<string, ErrorClass>;
  private pool: Piscina<ThreadTask, ThreadResult[]> | undefined;
  /** Items asked for since the last hand-off, sent together on the next turn of the event loop. */
  private waiting: { item: I; done: (result: ThreadResult) => void; failed: (err: unknown) => void }[] = [];
  private flushing: NodeJS.Immediate | undefined;

  constructor(options: ThreadedProcessorOptions) {
    const threads = options.threads ?? defaultPoolSize();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`threadedProcessor: threads must be a positive integer, got ${threads}`);
    }
    const perTask = options.itemsPerTask ?? 4;
    if (!Number.isInteger(perTask) || perTask < 1) {
      throw new RangeError(`threadedProcessor: itemsPerTask must be a positive integer, got ${perTask}`);
    }
    this.threads = threads;
    this.itemsPerTask = perTask;
    // Enough items in flight that every thread has its next task queued.
    this.concurrency = threads * Math.max(1, options.inFlightPerThread ?? 2) * perTask;
    const m = options.module;
    this.module =
      m instanceof URL
        ? m.href
        : m.startsWith('file:')
          ? m
          : pathToFileURL(isAbsolute(m) ? m : resolve(m)).href;
    this.exportName = options.export ?? 'default';
    this.classes = new Map([...BUILT_IN, ...(options.errors ?? [])].map((c) => [c.name, c]));
  }

  /** Threads currently alive (0 before open and after close). */
  get liveThreads(): number {
    return this.pool?.threads.length ?? 0;
  }

  open(): void {
    this.start();
  }

  private start(): Piscina<ThreadTask, ThreadResult[]> {
    this.pool ??= new Piscina<ThreadTask, ThreadResult[]>({
      filename: entryFile(),
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    return this.pool;
  }

  async process(item: I): Promise<O | null> {
    const result = await new Promise<ThreadResult>((done, failed) => {
      this.waiting.push({ item, done, failed });
      if (this.waiting.length >= this.itemsPerTask) this.flush();
      // The chunk loop asks for its next items as earlier ones complete, all in one turn: they
      // go together once that turn is over.
      else this.flushing ??= setImmediate(() => this.flush());
    });
    if (result.ok) return (result.value ?? null) as O | null;
    throw new ThreadedProcessError(item, this.revive(result.error));
  }

  private flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    const pool = this.start();
    while (this.waiting.length > 0) {
      const task = this.waiting.splice(0, this.itemsPerTask);
      pool.run({ module: this.module, exportName: this.exportName, items: task.map((t) => t.item) }).then(
        (results) => {
          for (const [i, t] of task.entries()) {
            const r = results[i];
            if (r) t.done(r);
            else t.failed(new Error('worker thread returned no result for the item'));
          }
        },
        (err: unknown) => {
          for (const t of task) t.failed(err);
        },
      );
    }
  }

  async close(): Promise<void> {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    for (const t of this.waiting.splice(0)) t.failed(new Error('threaded processor closed'));
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  private revive(w: WireError): Error {
    const cls = this.classes.get(w.name);
    const e = (cls ? Object.create(cls.prototype) : new Error(w.message)) as Error;
    const define = (key: string, value: unknown) =>
      Object.defineProperty(e, key, { value, writable: true, configurable: true, enumerable: false });
    define('message', w.message);
    if (w.stack) define('stack', w.stack);
    if (!cls || e.name !== w.name) define('name', w.name);
    Object.assign(e, w.props);
    if (w.cause) define('cause', 'value' in w.cause ? w.cause.value : this.revive(w.cause));
    return e;
  }
}

export function threadedProcessor<I, O>(options: ThreadedProcessorOptions): ThreadedProcessor<I, O> {
  return new ThreadedProcessor(options);
}
