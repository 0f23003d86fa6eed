import { ExecutionContext } from '../model/context.js';
import { JobInterruptedError, StartLimitExceededError } from '../model/errors.js';
import type { StepExecution } from '../model/execution.js';
import { zeroCounters } from '../model/execution.js';
import { describeError, ExitStatus } from '../model/status.js';
import type { Step } from '../model/step.js';
import { runChunkStep } from './chunk.js';
import { runJobStep } from './job-step.js';
import { runPartitionStep } from './partition.js';
import type { StepRuntime } from './runtime.js';
import { notify } from './runtime.js';
import { runTaskletStep } from './tasklet.js';

/** A new, unsaved step execution (id 0 until the repository assigns one). */
export function newStepExecution(rt: StepRuntime, stepName: string): StepExecution {
  const now = rt.clock();
  return {
    id: 0,
    jobExecutionId: rt.jobExecution.id,
    jobName: rt.jobExecution.instance.jobName,
    stepName,
    status: 'STARTING',
    exitStatus: ExitStatus.EXECUTING,
    createTime: now,
    startTime: null,
    endTime: null,
    lastUpdated: now,
    version: 0,
    context: new ExecutionContext(),
    terminateOnly: false,
    ...zeroCounters(),
  };
}

/**
 * Runs one step with Spring Batch's restart rules:
 * - the last execution of this step in the instance COMPLETED (and the step does not allow
 *   start-if-complete) or was ABANDONED → not run again; that execution is returned as the result;
 * - more starts than `startLimit` → StartLimitExceededError (fails the job);
 * - the last execution did not complete → the new execution starts from its context.
 *
 * A step failure does not throw: the returned execution is FAILED and carries the error in its
 * exit description; the flow decides what happens next.
 */
export async function executeStep(
  step: Step,
  rt: StepRuntime,
  nameOverride?: string,
): Promise<StepExecution> {
  const name = nameOverride ?? step.name;
  const repo = rt.repository;
  const last = await repo.getLastStepExecution(rt.jobExecution.instance, name);
  if (last && ((last.status === 'COMPLETED' && !step.allowStartIfComplete) || last.status === 'ABANDONED')) {
    rt.log.info('step already complete, not run again', { step: name, stepExecutionId: last.id });
    return last;
  }
  const starts = await repo.countStepExecutions(rt.jobExecution.instance, name);
  if (starts >= (step.startLimit ?? Number.POSITIVE_INFINITY)) {
    throw new StartLimitExceededError(
      `step '${name}' was started ${starts} times (startLimit ${step.startLimit})`,
    );
  }
  const se = newStepExecution(rt, name);
  if (last && last.status !== 'COMPLETED') se.context = last.context.clone();
  await repo.addStepExecution(se);
  rt.jobExecution.stepExecutions.push(se);
  return runStepExecution(step, se, rt);
}

/** Runs an already-saved step execution to its end (also used for partitions). */
export async function runStepExecution(
  step: Step,
  se: StepExecution,
  rt: StepRuntime,
): Promise<StepExecution> {
  se.status = 'STARTED';
  se.startTime = rt.clock();
  await rt.repository.updateStepExecution(se);
  rt.log.info('step started', { step: se.stepName, stepExecutionId: se.id });
  try {
    await notify(step.listeners, 'beforeStep', se);
    let exit = ExitStatus.COMPLETED;
    if (step.kind === 'chunk') await runChunkStep(step, se, rt);
    else if (step.kind === 'tasklet') await runTaskletStep(step, se, rt);
    else if (step.kind === 'job') exit = await runJobStep(step, se, rt);
    else await runPartitionStep(step, se, rt);
    // A stop seen on the last commit does not undo a finished step: it COMPLETES, and the flow
    // stops before the next node.
    if (se.status === 'STARTED') {
      se.status = 'COMPLETED';
      se.exitStatus = exit;
    }
  } catch (error) {
    if (error instanceof JobInterruptedError) {
      se.status = 'STOPPED';
      se.exitStatus = ExitStatus.STOPPED.addDescription(error.message);
    } else {
      se.status = 'FAILED';
      se.exitStatus = ExitStatus.failed(error);
      rt.log.error('step failed', { step: se.stepName, stepExecutionId: se.id, error: describeError(error) });
    }
  }
  if (step.listeners) {
    for (const l of step.listeners) {
      try {
        const exit = await l.afterStep?.(se);
        if (exit) se.exitStatus = se.exitStatus.and(exit);
      } catch (error) {
        // Spring Batch logs and ignores afterStep failures: the step's outcome is already decided.
        rt.log.error('afterStep listener failed', { step: se.stepName, error: describeError(error) });
      }
    }
  }
  se.endTime = rt.clock();
  await rt.repository.updateStepExecution(se);
  rt.log.info('step ended', {
    step: se.stepName,
    stepExecutionId: se.id,
    status: se.status,
    exitCode: se.exitStatus.code,
    read: se.readCount,
    write: se.writeCount,
    filter: se.filterCount,
    commit: se.commitCount,
    rollback: se.rollbackCount,
    skip: se.readSkipCount + se.processSkipCount + se.writeSkipCount,
  });
  return se;
}
