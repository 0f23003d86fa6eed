import { JobConfigurationError } from '../model/errors.js';

/** The environment contract of a worker pod, parsed once at start. */
export interface WorkerEnv {
  /** task_execution.id created by the control plane; undefined when run by hand. */
  readonly taskExecutionId: number | undefined;
  readonly taskName: string | undefined;
  /**
   * The Kubernetes Job this pod belongs to (downward API). A Job a CronJob created, or one applied
   * with kubectl, has no execution id in its environment: the worker finds the execution the
   * control plane adopted for this Job instead.
   */
  readonly jobName: string | undefined;
  /** Job repository URL. Secret: comes from a secretKeyRef and is never logged. */
  readonly databaseUrl: string;
  readonly jobModule: string | undefined;
}

export function parseEnv(env: Readonly<Record<string, string | undefined>>): WorkerEnv {
  const rawId = env.BATCHYARD_TASK_EXECUTION_ID?.trim();
  let taskExecutionId: number | undefined;
  if (rawId) {
    taskExecutionId = Number(rawId);
    if (!Number.isSafeInteger(taskExecutionId) || taskExecutionId <= 0) {
      throw new JobConfigurationError(
        `BATCHYARD_TASK_EXECUTION_ID must be a positive integer, got '${rawId}'`,
      );
    }
  }
  const databaseUrl = env.BATCHYARD_DATABASE_URL?.trim();
  if (!databaseUrl) throw new JobConfigurationError('BATCHYARD_DATABASE_URL is not set');
  return Object.freeze({
    taskExecutionId,
    taskName: env.BATCHYARD_TASK_NAME?.trim() || undefined,
    jobName: env.BATCHYARD_JOB_NAME?.trim() || undefined,
    databaseUrl,
    jobModule: env.BATCHYARD_JOB_MODULE?.trim() || undefined,
  });
}
