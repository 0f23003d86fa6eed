import type { Job } from './flow/builder.js';
import { stepsOf } from './flow/builder.js';
import { runFlow } from './flow/execute.js';
import { nextParameters } from './flow/incrementer.js';
import {
  JobExecutionAlreadyRunningError,
  JobInstanceAlreadyCompleteError,
  JobRestartError,
  OptimisticLockingError,
} from './model/errors.js';
import type { JobExecution } from './model/execution.js';
import { type Clock, systemClock } from './model/execution.js';
import type { Logger } from './model/log.js';
import { silentLogger } from './model/log.js';
import type { JobParameters } from './model/parameters.js';
import { describeError, ExitStatus, isRunning } from './model/status.js';
import type { JobRepository } from './repository/types.js';
import type { Sleep } from './step/fault-tolerance.js';
import { realSleep } from './step/fault-tolerance.js';
import type { ControlPlaneConnection, StepRuntime, StopSignal } from './step/runtime.js';

export interface LaunchOptions {
  repository: JobRepository;
  clock?: Clock;
  sleep?: Sleep;
  log?: Logger;
  /** Shared stop flag; the CLI sets it on SIGTERM. */
  stop?: StopSignal;
  /** The control plane that launched this task (remote partitions), from the environment. */
  controlPlane?: ControlPlaneConnection;
  /** Called once the JobExecution exists (before any step runs), e.g. to link the task execution. */
  onCreated?: (execution: JobExecution) => Promise<void>;
}

const RESTART_AT = 'batchyard.flow.restartAt';

/**
 * The launch rules, checked under the instance lock with its last execution:
 * running → JobExecutionAlreadyRunningError; not restartable → JobRestartError; UNKNOWN →
 * JobRestartError; COMPLETED/ABANDONED with identifying parameters → JobInstanceAlreadyCompleteError
 * unless some step allows start-if-complete (a deliberate extension of Spring Batch, which refuses).
 */
export function checkLaunch(job: Job, params: JobParameters, previous: JobExecution | undefined): void {
  if (!previous) return;
  const id = `job '${job.name}' instance ${previous.instance.id}`;
  if (isRunning(previous.status)) {
    throw new JobExecutionAlreadyRunningError(`${id} is already running (execution ${previous.id})`);
  }
  if (!job.restartable) throw new JobRestartError(`${id} already exists and the job is not restartable`);
  if (previous.status === 'UNKNOWN') {
    throw new JobRestartError(
      `${id}: execution ${previous.id} is UNKNOWN; mark it FAILED or ABANDONED first`,
    );
  }
  if (
    (previous.status === 'COMPLETED' || previous.status === 'ABANDONED') &&
    params.identifying().size > 0 &&
    !stepsOf(job.flow).some((s) => s.allowStartIfComplete)
  ) {
    throw new JobInstanceAlreadyCompleteError(`${id} is already complete (execution ${previous.id})`);
  }
}

/**
 * Creates a JobExecution for `job` + `params` and runs it to the end. Never throws for a failing
 * step (the returned execution is FAILED); throws for a refused launch.
 *
 * @example
 * const execution = await launchJob(settlement, parameters({ rows: 1000 }), { repository });
 * execution.status // 'COMPLETED'
 */
export async function launchJob(job: Job, given: JobParameters, opts: LaunchOptions): Promise<JobExecution> {
  const repo = opts.repository;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger;
  const params = await resolveParameters(job, given, repo);
  const execution = await repo.createJobExecution(job.name, params, (prev) => checkLaunch(job, params, prev));
  const rt: StepRuntime = {
    repository: repo,
    clock,
    sleep: opts.sleep ?? realSleep,
    stop: opts.stop ?? { requested: false },
    log,
    jobExecution: execution,
    ...(opts.controlPlane ? { controlPlane: opts.controlPlane } : {}),
  };
  execution.status = 'STARTED';
  execution.startTime = clock();
  await repo.updateJobExecution(execution);
  log.info('job started', {
    job: job.name,
    jobExecutionId: execution.id,
    jobInstanceId: execution.instance.id,
  });
  try {
    await opts.onCreated?.(execution);
    for (const l of job.listeners) await l.beforeJob?.(execution);
    const restartAt = execution.context.getString(RESTART_AT) || undefined;
    execution.context.remove(RESTART_AT);
    const result = await runFlow(job.flow, rt, restartAt);
    execution.status = result.status;
    execution.exitStatus = result.exitStatus;
    if (result.status === 'STOPPED' && result.restartAt) execution.context.put(RESTART_AT, result.restartAt);
  } catch (error) {
    execution.status = 'FAILED';
    execution.exitStatus = ExitStatus.failed(error);
    log.error('job failed', { job: job.name, jobExecutionId: execution.id, error: describeError(error) });
  }
  for (const l of job.listeners) {
    try {
      await l.afterJob?.(execution);
    } catch (error) {
      log.error('afterJob listener failed', { error: describeError(error) });
    }
  }
  execution.endTime = clock();
  await repo.updateJobContext(execution);
  await saveFinal(repo, execution);
  log.info('job ended', {
    job: job.name,
    jobExecutionId: execution.id,
    status: execution.status,
    exitCode: execution.exitStatus.code,
    exitDescription: execution.exitStatus.description,
  });
  return execution;
}

/**
 * The parameters this launch runs with: the incrementer's next ones (or the failed instance's, to
 * restart it) when the job has one, then the validator's check — both before anything is created.
 */
export async function resolveParameters(
  job: Job,
  given: JobParameters,
  repo: JobRepository,
): Promise<JobParameters> {
  const params = job.incrementer
    ? nextParameters(job.incrementer, job.restartable, await repo.getLastJobExecution(job.name), given)
    : given;
  job.validator?.validate(params, { jobName: job.name, allowedExtra: job.incrementer?.keys ?? [] });
  return params;
}

/**
 * The final write wins over a concurrent stop request (which only moved the row to STOPPING): on
 * a version conflict the stored version is adopted and the update retried once.
 */
async function saveFinal(repo: JobRepository, execution: JobExecution): Promise<void> {
  try {
    await repo.updateJobExecution(execution);
  } catch (error) {
    if (!(error instanceof OptimisticLockingError)) throw error;
    execution.version = (await repo.getJobStatus(execution.id)).version;
    await repo.updateJobExecution(execution);
  }
}
