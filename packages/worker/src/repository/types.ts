import type { SqlClient } from '../model/api.js';
import type { JobExecution, JobInstance, StepExecution } from '../model/execution.js';
import type { JobParameters } from '../model/parameters.js';
import type { BatchStatus } from '../model/status.js';

/**
 * Called inside the transaction that creates a JobExecution, with the instance's previous
 * execution (if any): throw to refuse the launch. Running it under the instance lock is what makes
 * "one running execution per instance" hold across processes.
 */
export type LaunchCheck = (previous: JobExecution | undefined) => void;

/** The job execution's status and version as stored (a stop request changes both). */
export interface StoredJobStatus {
  status: BatchStatus;
  version: number;
}

/** Result of a chunk commit: the job's stored status, read in the same round trip, for cooperative stop. */
export type CommitResult = StoredJobStatus;

/**
 * Where executions are recorded. Implementations: `InMemoryJobRepository` (tests) and
 * `PostgresJobRepository` (pods). Only these modules touch storage.
 */
export interface JobRepository {
  /**
   * Finds or creates the JobInstance, runs `check` with its last execution, then inserts a new
   * STARTING JobExecution with its parameters and an empty context. The previous execution's job
   * context is copied into the new one (restart state).
   */
  createJobExecution(jobName: string, params: JobParameters, check: LaunchCheck): Promise<JobExecution>;
  /** Persists status, exit status and times; bumps the version (optimistic lock). */
  updateJobExecution(execution: JobExecution): Promise<void>;
  updateJobContext(execution: JobExecution): Promise<void>;
  /** The stored status, read at chunk boundaries so a stop requested elsewhere is seen. */
  getJobStatus(jobExecutionId: number): Promise<StoredJobStatus>;

  /** A job execution with its instance, parameters and context (remote partitions, tooling). */
  getJobExecution(id: number): Promise<JobExecution | undefined>;
  /** The latest job execution of the named job across all its instances, with its parameters. */
  getLastJobExecution(jobName: string): Promise<JobExecution | undefined>;
  /** A step execution with its context. */
  getStepExecution(id: number): Promise<StepExecution | undefined>;
  /** The latest execution of `stepName` within the instance, with its context. */
  getLastStepExecution(instance: JobInstance, stepName: string): Promise<StepExecution | undefined>;
  countStepExecutions(instance: JobInstance, stepName: string): Promise<number>;
  /** Inserts the step execution (assigning its id) and its context. */
  addStepExecution(step: StepExecution): Promise<void>;
  /** Persists status, counters, times and — when dirty — the context. */
  updateStepExecution(step: StepExecution): Promise<void>;

  /**
   * One chunk transaction: `work` (the writer) runs with the transaction's client, then the step's
   * counters and context are written; all commit together or not at all. On error everything is
   * rolled back and the error rethrown; the caller restores its in-memory counters.
   */
  commitChunk(step: StepExecution, work: (tx: SqlClient | undefined) => Promise<void>): Promise<CommitResult>;
  /** Runs `work` in a transaction without touching step metadata (scan mode items, savepoints). */
  transaction<T>(work: (tx: SqlClient | undefined) => Promise<T>): Promise<T>;

  /** TASK_TASK_BATCH link; returns false (and links nothing) when the TASK_EXECUTION row is missing. */
  linkTaskExecution(taskExecutionId: number, jobExecutionId: number): Promise<boolean>;
  /** TASK_EXECUTION.EXIT_MESSAGE only — the control plane alone owns the task's status. */
  setTaskExitMessage(taskExecutionId: number, message: string): Promise<void>;
}
