import { launchJob } from '../launch.js';
import { BatchError, JobInstanceAlreadyCompleteError, JobInterruptedError } from '../model/errors.js';
import type { StepExecution } from '../model/execution.js';
import { ExitStatus } from '../model/status.js';
import type { JobStep } from '../model/step.js';
import type { StepRuntime } from './runtime.js';

/** Where the job step records the child's execution id, for tooling and for restarts. */
export const CHILD_EXECUTION_KEY = 'batchyard.jobStep.jobExecutionId';

/** The child job ended FAILED (or ABANDONED/UNKNOWN): the job step fails with its exit status. */
export class JobStepFailedError extends BatchError {
  constructor(jobName: string, jobExecutionId: number, exit: ExitStatus) {
    super(
      'JOB_STEP_FAILED',
      `child job '${jobName}' (execution ${jobExecutionId}) ended ${exit.code}${exit.description ? `: ${exit.description}` : ''}`,
    );
  }
}

/**
 * Runs the child job in this process with the parent's repository, clock and stop signal, and
 * returns its exit status for the step. A STOPPED child stops the step (and the parent); a failed
 * child fails it. A child instance that already COMPLETED (the parent crashed after the child had
 * finished) is not run again: the step completes.
 */
export async function runJobStep(step: JobStep, se: StepExecution, rt: StepRuntime): Promise<ExitStatus> {
  const params = step.parameters
    ? await step.parameters({ jobExecution: rt.jobExecution, stepExecution: se })
    : rt.jobExecution.parameters;
  let child: Awaited<ReturnType<typeof launchJob>>;
  try {
    child = await launchJob(step.job, params, {
      repository: rt.repository,
      clock: rt.clock,
      sleep: rt.sleep,
      log: rt.log,
      stop: rt.stop,
    });
  } catch (error) {
    if (!(error instanceof JobInstanceAlreadyCompleteError)) throw error;
    rt.log.info('child job already complete, not run again', { step: se.stepName, job: step.job.name });
    return ExitStatus.COMPLETED;
  }
  se.context.put(CHILD_EXECUTION_KEY, child.id);
  if (child.status === 'STOPPED' || child.status === 'STOPPING') {
    throw new JobInterruptedError(`child job '${step.job.name}' (execution ${child.id}) stopped`);
  }
  if (child.status !== 'COMPLETED') throw new JobStepFailedError(step.job.name, child.id, child.exitStatus);
  return child.exitStatus;
}
