import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';

// The vocabulary of decide(): a task execution's status as Batchyard records it, what decide() is
// given, and what it returns. Defined here (not in @batchyard/core yet) and exported for the server.

export type ExecutionStatus =
  | 'LAUNCHING'
  | 'PENDING'
  | 'RUNNING'
  | 'STOPPING'
  | 'COMPLETE'
  | 'FAILED'
  | 'STOPPED'
  | 'LOST';

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set([
  'COMPLETE',
  'FAILED',
  'STOPPED',
  'LOST',
]);

export const isTerminalStatus = (status: ExecutionStatus): boolean => TERMINAL_STATUSES.has(status);

export interface RecordedExecution {
  status: ExecutionStatus;
  /** When the row entered LAUNCHING; a Job not yet visible within the grace window is not LOST. */
  launchedAt?: Date;
  /** When the stop was requested (status became STOPPING). */
  stopRequestedAt?: Date;
  startTime?: Date;
  endTime?: Date;
  exitCode?: number;
  reason?: string;
  message?: string;
}

export interface ObservedJob {
  /** Absent: the API server says the Job does not exist. */
  job?: V1Job;
  /** The Job's pods (any order). */
  pods: readonly V1Pod[];
  /** The Job's own events, read only while it has no pod (why the Job controller cannot create one). */
  events?: readonly CoreV1Event[];
}

export interface DecideOptions {
  /** How long a pod may wait on an image pull or configuration error before the execution fails. */
  pendingTimeoutMs: number;
  /** How long after launch a missing Job is still expected to appear (informer lag). Default 60 s. */
  launchGraceMs?: number;
}

/**
 * The new state of the execution. Fields replace the recorded ones (undefined clears them), except
 * startTime, which is carried over once known. `deleteJob`: the reconciler should delete the Job
 * (Kubernetes would otherwise keep retrying an image pull forever).
 */
export interface Decision {
  status: ExecutionStatus;
  exitCode?: number;
  reason?: string;
  message?: string;
  startTime?: Date;
  endTime?: Date;
  deleteJob?: boolean;
}
