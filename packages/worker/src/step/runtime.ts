import type { StepListener } from '../model/api.js';
import type { Clock, JobExecution } from '../model/execution.js';
import type { Logger } from '../model/log.js';
import type { JobRepository } from '../repository/types.js';
import type { Sleep } from './fault-tolerance.js';

/**
 * Set by SIGTERM (or a test): every running step finishes its current chunk, then stops.
 * Shared by all steps of a job, including parallel splits and partitions.
 */
export interface StopSignal {
  requested: boolean;
}

/** Everything a step needs from its surroundings; injected so tests can control each part. */
export interface StepRuntime {
  readonly repository: JobRepository;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly stop: StopSignal;
  readonly log: Logger;
  readonly jobExecution: JobExecution;
  /** The control plane that launched this task, when it did (remote partitions use it). */
  readonly controlPlane?: ControlPlaneConnection;
}

/** How a task reaches the control plane's API: its address and the task's own token (secret). */
export interface ControlPlaneConnection {
  readonly url: string;
  readonly token: string | undefined;
  /**
   * A file holding the credential instead (a Kubernetes pod's projected ServiceAccount token), read
   * at every request: the kubelet rotates it in place. Used when `token` is not set.
   */
  readonly tokenFile?: string;
  /** The task execution this process runs. */
  readonly taskExecutionId: number;
}

/** Calls `hook` on each listener that defines it, in registration order. */
export async function notify<K extends keyof StepListener>(
  listeners: readonly StepListener[] | undefined,
  hook: K,
  ...args: Parameters<NonNullable<StepListener[K]>>
): Promise<void> {
  if (!listeners) return;
  for (const l of listeners) {
    const fn = l[hook] as ((...a: typeof args) => unknown) | undefined;
    if (fn) await fn.apply(l, args);
  }
}
