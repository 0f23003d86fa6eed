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
import type { JobParameters } from './parameters.js';

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
 *
 * Matchers are tried on the error and on each error of its `cause` chain (Spring Batch 6). With
 * `retryLimit` and no `retry` list, every error is retryable (Spring Batch 6 retries every Exception).
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
    ctx: {
      manager: StepExecution;
      jobExecution: JobExecution;
      /** Set by SIGTERM or a stop through the control plane: stop the partitions too. */
      stop: { readonly requested: boolean };
      repository: import('../repository/types.js').JobRepository;
      /** The control plane that launched this task, when it did. */
      controlPlane?: import('../step/runtime.js').ControlPlaneConnection;
    },
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

/**
 * A step that runs another job (Spring Batch's `JobStep`): the child job gets its own instance and
 * executions; this step's status and exit status are the child's. On restart of the parent a failed
 * child is restarted (same parameters, same instance), a completed one is not run again.
 */
export interface JobStep extends StepOptions {
  readonly kind: 'job';
  readonly name: string;
  readonly job: import('../flow/builder.js').Job;
  /** The child's parameters; default: the parent job's parameters (`useAllParentParameters`). */
  readonly parameters?: (ctx: {
    jobExecution: JobExecution;
    stepExecution: StepExecution;
  }) => JobParameters | Promise<JobParameters>;
}

export type Step = ChunkStep | TaskletStep | PartitionStep | JobStep;

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

/**
 * A step that runs `job` as a child job.
 *
 * @example jobStep('load-all', loadJob, { parameters: ({ jobExecution }) => jobExecution.parameters.with('day', day) })
 */
export function jobStep(
  name: string,
  child: import('../flow/builder.js').Job,
  options: Omit<JobStep, 'kind' | 'name' | 'job'> = {},
): JobStep {
  return { kind: 'job', name, job: child, ...options };
}
