import { JobInterruptedError } from '../model/errors.js';
import type { StepExecution } from '../model/execution.js';
import type { TaskletStep } from '../model/step.js';
import { commit } from './commit.js';
import type { StepRuntime } from './runtime.js';

/**
 * Calls the tasklet until it returns FINISHED (or nothing). Each call is one transaction that also
 * saves the step's counters and context (commitCount+1); a failure counts one rollback and fails
 * the step. A stop request is honoured between calls.
 */
export async function runTaskletStep(step: TaskletStep, se: StepExecution, rt: StepRuntime): Promise<void> {
  for (;;) {
    if (rt.stop.requested || se.terminateOnly) throw new JobInterruptedError('stop requested');
    let status: string | undefined;
    try {
      await commit(se, rt, [], async (tx) => {
        status = (await step.tasklet({ stepExecution: se, jobExecution: rt.jobExecution, tx })) ?? 'FINISHED';
      });
    } catch (error) {
      se.rollbackCount++;
      throw error;
    }
    if (status !== 'CONTINUABLE') return;
  }
}
