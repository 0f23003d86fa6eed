import type {
  ErrorMatcher,
  ItemProcessor,
  ItemReader,
  ItemStream,
  ItemWriter,
  StepListener,
  Tasklet,
} from './api.js';
import type { ExecutionContext } from './context.js';
import type { JobExecution, StepExecution } from './execution.js';

/** Options every step kind shares. */
export interface StepOptions {
  /** How many times the step may be started within one JobInstance (default: unlimited). */
  startLimit?: number;
  /** Re-run this step on restart even if it COMPLETED before (default false). */
  allowStartIfComplete?: boolean;
  listeners?: StepListener[];
}

export interface BackoffOptions {
  /** First delay in ms (default 0: retry at once). */
  initialMs?: number;
  /** Factor applied after each retry (default 2). */
  multiplier?: number;
  maxMs?: number;
}

/**
 * Skip and retry, per Spring Batch 6 semantics: each read, process and write is retried in place
 * up to `retryLimit` extra attempts when its error matches `retry`; once retries are exhausted (or
 * if the error is not retryable) it is skipped when it matches `skip` and the step's total skip
 * count is below `skipLimit`. A skippable write failure rolls the chunk back and re-writes it item
 * by item (scan) to isolate the bad item — the processor is NOT run again.
 */
export interface FaultToleranceOptions {
  skipLimit?: number;
  skip?: ErrorMatcher[];
  /** Takes precedence over `skip`. */
  noSkip?: ErrorMatcher[];
  retryLimit?: number;
  retry?: ErrorMatcher[];
  noRetry?: ErrorMatcher[];
  backoff?: BackoffOptions;
}

export interface ChunkStepOptions<I, O> extends StepOptions {
  reader: ItemReader<I> & ItemStream;
  processor?: ItemProcessor<I, O>;
  writer: ItemWriter<O> & ItemStream;
  /** Items per transaction (commit interval). */
  chunkSize: number;
  /** Extra streams to open/update/close with the step (reader and writer are registered already). */
  streams?: ItemStream[];
  faultTolerance?: FaultToleranceOptions;
  /**
   * Process up to this many items of a chunk concurrently (async processors: I/O-bound work).
   * Order within the chunk is kept. Default 1.
   */
  processConcurrency?: number;
}

export interface ChunkStep<I = unknown, O = unknown> extends ChunkStepOptions<I, O> {
  readonly kind: 'chunk';
  readonly name: string;
}

export interface TaskletStep extends StepOptions {
  readonly kind: 'tasklet';
  readonly name: string;
  readonly tasklet: Tasklet;
}

/** Splits the work: returns one ExecutionContext seed per partition, keyed by partition name. */
export type Partitioner = (
  gridSize: number,
  ctx: { jobExecution: JobExecution },
) => Record<string, Record<string, import('./context.js').JsonValue>>;

/**
 * Runs the worker step executions of a partitioned step. The default runs them in this process with
 * bounded concurrency; a remote handler (see `RemotePartitionLauncher`) hands each to the control
 * plane to run as its own Kubernetes Job.
 */
export interface PartitionHandler {
  handle(
    partitions: StepExecution[],
    runLocal: (partition: StepExecution) => Promise<StepExecution>,
    ctx: { manager: StepExecution; jobExecution: JobExecution },
  ): Promise<StepExecution[]>;
}

export interface PartitionStep extends StepOptions {
  readonly kind: 'partition';
  readonly name: string;
  readonly partitioner: Partitioner;
  /**
   * The step each partition runs. Give a factory when the reader/writer keep state (they almost
   * always do): partitions run concurrently and must not share reader instances. The factory gets
   * the partition's context (its range, seeded by the partitioner) and the partition name.
   */
  readonly worker:
    | ChunkStep
    | TaskletStep
    | ((ctx: ExecutionContext, partition: string) => ChunkStep | TaskletStep);
  readonly gridSize: number;
  /** Partitions run at the same time (default gridSize). */
  readonly concurrency?: number;
  readonly handler?: PartitionHandler;
}

export type Step = ChunkStep | TaskletStep | PartitionStep;

/**
 * A chunk-oriented step.
 *
 * @example
 * chunkStep('load', { reader: csvReader({ path }), processor, writer: pgUpsertWriter({...}), chunkSize: 500,
 *   faultTolerance: { skipLimit: 10, skip: [ParseError] } })
 */
export function chunkStep<I, O = I>(name: string, options: ChunkStepOptions<I, O>): ChunkStep<I, O> {
  if (!Number.isInteger(options.chunkSize) || options.chunkSize < 1) {
    throw new RangeError(`step '${name}': chunkSize must be a positive integer, got ${options.chunkSize}`);
  }
  return { kind: 'chunk', name, ...options };
}

/**
 * A tasklet step: the function runs until it returns FINISHED (or undefined), each call in its own
 * transaction.
 *
 * @example taskletStep('cleanup', async () => { await rm(tmp); return 'FINISHED'; })
 */
export function taskletStep(name: string, tasklet: Tasklet, options: StepOptions = {}): TaskletStep {
  return { kind: 'tasklet', name, tasklet, ...options };
}

/**
 * A locally partitioned step.
 *
 * @example
 * partitionStep('load', { gridSize: 4, worker, partitioner: (n) => ranges(n) })
 */
export function partitionStep(name: string, options: Omit<PartitionStep, 'kind' | 'name'>): PartitionStep {
  return { kind: 'partition', name, ...options };
}

export type { ExecutionContext };
