import type { ExecutionContext } from './context.js';
import type { JobExecution, StepExecution } from './execution.js';
import type { ExitStatus } from './status.js';

/**
 * The contracts user code implements. All methods may be async.
 *
 * @example
 * const reader: ItemReader<number> = { read: () => (n < 10 ? n++ : null) };
 * const writer: ItemWriter<number> = { write: async (items, { tx }) => { ... } };
 */

/** Returns the next item, or `null` when the input is exhausted. */
export interface ItemReader<T> {
  read(): T | null | Promise<T | null>;
  /**
   * Optional, for readers that hold their items in memory: reads up to `max` items synchronously
   * into `into[0..]` and returns how many; fewer than `max` means the input is exhausted. It must do
   * exactly what that many `read()` calls would. The engine's fast path uses it when present.
   */
  readChunk?(into: T[], max: number): number;
}

/** Returns the transformed item, or `null` to filter it out (counted in filterCount). */
export interface ItemProcessor<I, O> {
  process(item: I): O | null | Promise<O | null>;
  /**
   * Items of a chunk the engine may hand to `process` at once (a thread pool's capacity, see
   * `threadedProcessor`). The step's `processConcurrency` overrides it. Default 1.
   */
  readonly concurrency?: number;
}

/** A minimal SQL client: what `pg.PoolClient` offers, so writers need not depend on pg types. */
export interface SqlClient {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** What a writer receives besides its items. */
export interface ChunkContext {
  /**
   * The chunk's database transaction when the job repository is Postgres: writing through it makes
   * the business write and the step's counters/context commit atomically (exactly-once). `undefined`
   * with the in-memory repository.
   */
  readonly tx: SqlClient | undefined;
  readonly stepExecution: StepExecution;
  /** The running job execution: its parameters (after the incrementer) and its instance. */
  readonly jobExecution: JobExecution;
}

export interface ItemWriter<T> {
  write(items: readonly T[], ctx: ChunkContext): void | Promise<void>;
}

/**
 * Restartable resources. `open` receives the context saved by the last committed chunk (empty on a
 * first run), `update` records the position just before each commit, `close` releases resources.
 */
export interface ItemStream {
  open?(ctx: ExecutionContext): void | Promise<void>;
  update?(ctx: ExecutionContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

export type Awaitable<T> = T | Promise<T>;

export interface JobListener {
  beforeJob?(execution: JobExecution): Awaitable<void>;
  afterJob?(execution: JobExecution): Awaitable<void>;
}

/** Every hook is optional; one object may listen to several levels. */
export interface StepListener<I = unknown, O = unknown> {
  beforeStep?(step: StepExecution): Awaitable<void>;
  /** May return an exit status; it is combined with the step's own with `ExitStatus.and`. */
  afterStep?(step: StepExecution): Awaitable<ExitStatus | undefined>;
  beforeChunk?(step: StepExecution): Awaitable<void>;
  afterChunk?(step: StepExecution): Awaitable<void>;
  onChunkError?(error: unknown, step: StepExecution): Awaitable<void>;
  beforeRead?(): Awaitable<void>;
  afterRead?(item: I): Awaitable<void>;
  onReadError?(error: unknown): Awaitable<void>;
  beforeProcess?(item: I): Awaitable<void>;
  afterProcess?(item: I, result: O | null): Awaitable<void>;
  onProcessError?(item: I, error: unknown): Awaitable<void>;
  beforeWrite?(items: readonly O[]): Awaitable<void>;
  afterWrite?(items: readonly O[]): Awaitable<void>;
  onWriteError?(error: unknown, items: readonly O[]): Awaitable<void>;
  onSkipInRead?(error: unknown): Awaitable<void>;
  onSkipInProcess?(item: I, error: unknown): Awaitable<void>;
  onSkipInWrite?(item: O, error: unknown): Awaitable<void>;
}

/** CONTINUABLE: call the tasklet again (each call is its own transaction); FINISHED: done. */
export type RepeatStatus = 'CONTINUABLE' | 'FINISHED';

export interface TaskletContext {
  readonly stepExecution: StepExecution;
  readonly jobExecution: JobExecution;
  readonly tx: SqlClient | undefined;
}

/**
 * One unit of a tasklet step. Returning nothing means FINISHED. (An async tasklet that returns a
 * literal needs `'FINISHED' as const`: TypeScript widens literals returned from async functions.)
 */
// biome-ignore lint/suspicious/noConfusingVoidType: lets a tasklet simply not return anything.
export type Tasklet = (ctx: TaskletContext) => Awaitable<RepeatStatus | undefined | void>;

/** An error class, or a predicate over the error, used by skip and retry policies. */
// biome-ignore lint/suspicious/noExplicitAny: constructors of any error class must be accepted.
export type ErrorMatcher = (abstract new (...args: any[]) => Error) | ((error: unknown) => boolean);
