import type { ExecutionContext } from './context.js';
import type { JobParameters } from './parameters.js';
import type { BatchStatus, ExitStatus } from './status.js';

/** Injected so tests control time; defaults to `() => new Date()`. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

export interface JobInstance {
  readonly id: number;
  readonly jobName: string;
  /** SHA-256 (hex) of the canonical identifying parameters. */
  readonly jobKey: string;
}

export interface JobExecution {
  id: number;
  readonly instance: JobInstance;
  readonly parameters: JobParameters;
  status: BatchStatus;
  exitStatus: ExitStatus;
  createTime: Date;
  startTime: Date | null;
  endTime: Date | null;
  lastUpdated: Date;
  /** Optimistic-locking version of the job_execution row. */
  version: number;
  context: ExecutionContext;
  readonly stepExecutions: StepExecution[];
}

/** The counters of a step, named and counted as Spring Batch does. */
export interface StepCounters {
  readCount: number;
  writeCount: number;
  filterCount: number;
  commitCount: number;
  rollbackCount: number;
  readSkipCount: number;
  processSkipCount: number;
  writeSkipCount: number;
}

export interface StepExecution extends StepCounters {
  id: number;
  readonly jobExecutionId: number;
  readonly jobName: string;
  readonly stepName: string;
  status: BatchStatus;
  exitStatus: ExitStatus;
  createTime: Date;
  startTime: Date | null;
  endTime: Date | null;
  lastUpdated: Date;
  version: number;
  context: ExecutionContext;
  /** Set by a stop request (signal or control plane): the step ends at the next chunk boundary. */
  terminateOnly: boolean;
}

export function zeroCounters(): StepCounters {
  return {
    readCount: 0,
    writeCount: 0,
    filterCount: 0,
    commitCount: 0,
    rollbackCount: 0,
    readSkipCount: 0,
    processSkipCount: 0,
    writeSkipCount: 0,
  };
}

export function skipCount(c: StepCounters): number {
  return c.readSkipCount + c.processSkipCount + c.writeSkipCount;
}

export const COUNTER_NAMES = Object.keys(zeroCounters()) as (keyof StepCounters)[];
