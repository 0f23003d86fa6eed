import type { Job } from '../flow/builder.js';
import { stepsOf } from '../flow/builder.js';
import { JobConfigurationError, JobExecutionAlreadyRunningError } from '../model/errors.js';
import type { Clock, StepExecution } from '../model/execution.js';
import { systemClock } from '../model/execution.js';
import type { Logger } from '../model/log.js';
import { silentLogger } from '../model/log.js';
import { isRunning } from '../model/status.js';
import type { PartitionHandler, PartitionStep } from '../model/step.js';
import type { JobRepository } from '../repository/types.js';
import { runStepExecution } from './execute.js';
import { realSleep, type Sleep } from './fault-tolerance.js';
import type { StepRuntime, StopSignal } from './runtime.js';

/**
 * What the control plane needs to run one partition as its own Kubernetes Job. The launched pod
 * runs the same image with `--job=<jobName> --partition-step-execution=<stepExecutionId>` against
 * the same repository: it runs only that worker step execution, whose context already holds the
 * partition's range. Launches must be idempotent on `stepExecutionId` (deterministic Job name,
 * AlreadyExists = success), so a retried hand-off never runs a partition twice.
 */
export interface PartitionLaunchRequest {
  readonly jobName: string;
  readonly jobExecutionId: number;
  readonly managerStepExecutionId: number;
  readonly stepExecutionId: number;
  /** `<step>:<partition>` */
  readonly stepName: string;
  readonly partitionName: string;
}

/** Implemented by the control plane (a call to its API, which creates the Job). */
export interface RemotePartitionLauncher {
  launch(request: PartitionLaunchRequest): Promise<void>;
}

export interface RemotePartitionOptions {
  launcher: RemotePartitionLauncher;
  repository: JobRepository;
  /** How often the repository is polled for the partitions' status (default 2000 ms). */
  pollMs?: number;
  sleep?: Sleep;
}

/**
 * A PartitionHandler that hands each partition to the control plane and waits, by polling the
 * repository, until every partition step execution is terminal. A partition pod that dies is
 * turned FAILED by the reconciler (`recoverStaleExecutions(db, { stepExecutionId })`), which ends
 * the wait; the manager then fails and a restart re-launches only the failed partitions.
 */
export function remotePartitionHandler(options: RemotePartitionOptions): PartitionHandler {
  const sleep = options.sleep ?? realSleep;
  return {
    async handle(partitions, _runLocal, { manager, jobExecution }) {
      for (const p of partitions) {
        await options.launcher.launch({
          jobName: jobExecution.instance.jobName,
          jobExecutionId: jobExecution.id,
          managerStepExecutionId: manager.id,
          stepExecutionId: p.id,
          stepName: p.stepName,
          partitionName: p.stepName.slice(p.stepName.lastIndexOf(':') + 1),
        });
      }
      const done = new Map<number, StepExecution>();
      while (done.size < partitions.length) {
        for (const p of partitions) {
          if (done.has(p.id)) continue;
          const current = await options.repository.getStepExecution(p.id);
          if (current && current.status !== 'STARTING' && !isRunning(current.status)) done.set(p.id, current);
        }
        if (done.size < partitions.length) await sleep(options.pollMs ?? 2000);
      }
      return partitions.map((p) => done.get(p.id)!);
    },
  };
}

export interface RunPartitionOptions {
  repository: JobRepository;
  log?: Logger;
  stop?: StopSignal;
  clock?: Clock;
  sleep?: Sleep;
}

/**
 * The pod side of a remote partition: runs the saved worker step execution `stepExecutionId` of
 * `job` and returns it finished. Idempotent for a COMPLETED partition (returned as is); a partition
 * still marked running is refused (another pod may own it — recover it first).
 */
export async function runPartitionExecution(
  job: Job,
  stepExecutionId: number,
  options: RunPartitionOptions,
): Promise<StepExecution> {
  const repo = options.repository;
  const se = await repo.getStepExecution(stepExecutionId);
  if (!se) throw new JobConfigurationError(`step execution ${stepExecutionId} does not exist`);
  if (se.status === 'COMPLETED') return se;
  if (isRunning(se.status) && se.status !== 'STARTING') {
    throw new JobExecutionAlreadyRunningError(`partition step execution ${se.id} is ${se.status}`);
  }
  const cut = se.stepName.lastIndexOf(':');
  const managerName = se.stepName.slice(0, cut);
  const step = stepsOf(job.flow).find(
    (s): s is PartitionStep => s.kind === 'partition' && s.name === managerName,
  );
  if (cut < 0 || !step) {
    throw new JobConfigurationError(`job '${job.name}' has no partitioned step for '${se.stepName}'`);
  }
  const jobExecution = await repo.getJobExecution(se.jobExecutionId);
  if (!jobExecution) throw new JobConfigurationError(`job execution ${se.jobExecutionId} does not exist`);
  const worker =
    typeof step.worker === 'function' ? step.worker(se.context, se.stepName.slice(cut + 1)) : step.worker;
  const rt: StepRuntime = {
    repository: repo,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? realSleep,
    stop: options.stop ?? { requested: false },
    log: options.log ?? silentLogger,
    jobExecution,
  };
  return runStepExecution(worker, se, rt);
}
