import { ExecutionContext, type JsonValue } from '../model/context.js';
import { JobInterruptedError } from '../model/errors.js';
import type { StepExecution } from '../model/execution.js';
import { COUNTER_NAMES } from '../model/execution.js';
import { maxStatus } from '../model/status.js';
import type { PartitionHandler, PartitionStep } from '../model/step.js';
import { newStepExecution, runStepExecution } from './execute.js';
import { mapBounded } from './fault-tolerance.js';
import type { StepRuntime } from './runtime.js';

const NAMES_KEY = 'batchyard.partition.names';

/** Runs partitions in this process, at most `concurrency` at a time. */
export function localPartitionHandler(concurrency: number): PartitionHandler {
  return {
    handle: (partitions, runLocal) => mapBounded(partitions, Math.max(1, concurrency), (p) => runLocal(p)),
  };
}

export function partitionStepName(step: string, partition: string): string {
  return `${step}:${partition}`;
}

/**
 * The manager step: splits the work once (the partition names are kept in the manager's context so
 * a restart reuses them), then runs one worker step execution per partition. On restart only the
 * partitions whose last execution did not COMPLETE run again, each from its own saved context.
 * The manager's counters are the sum of the partitions run; its status is the worst of theirs.
 */
export async function runPartitionStep(
  step: PartitionStep,
  manager: StepExecution,
  rt: StepRuntime,
): Promise<void> {
  const repo = rt.repository;
  let seeds: Record<string, Record<string, JsonValue>> | undefined;
  let names = manager.context.get(NAMES_KEY) as string[] | undefined;
  if (!names) {
    seeds = step.partitioner(step.gridSize, { jobExecution: rt.jobExecution });
    names = Object.keys(seeds);
    manager.context.put(NAMES_KEY, names);
    await repo.updateStepExecution(manager);
  }
  const toRun: StepExecution[] = [];
  const partitionOf = new Map<StepExecution, string>();
  for (const partition of names) {
    const name = partitionStepName(step.name, partition);
    const last = await repo.getLastStepExecution(rt.jobExecution.instance, name);
    if (last?.status === 'COMPLETED') continue;
    const se = newStepExecution(rt, name);
    se.context = last ? last.context.clone() : new ExecutionContext(seeds?.[partition] ?? {});
    await repo.addStepExecution(se);
    rt.jobExecution.stepExecutions.push(se);
    toRun.push(se);
    partitionOf.set(se, partition);
  }
  const handler = step.handler ?? localPartitionHandler(step.concurrency ?? step.gridSize);
  const workerFor = (se: StepExecution) =>
    typeof step.worker === 'function'
      ? step.worker(se.context, partitionOf.get(se) ?? se.stepName)
      : step.worker;
  const results = await handler.handle(toRun, (se) => runStepExecution(workerFor(se), se, rt), {
    manager,
    jobExecution: rt.jobExecution,
    stop: rt.stop,
    repository: rt.repository,
    ...(rt.controlPlane ? { controlPlane: rt.controlPlane } : {}),
  });
  let worst: StepExecution['status'] = 'COMPLETED';
  for (const r of results) {
    for (const c of COUNTER_NAMES) manager[c] += r[c];
    worst = maxStatus(worst, r.status);
  }
  if (worst === 'STOPPED') throw new JobInterruptedError('a partition stopped');
  if (worst !== 'COMPLETED') {
    const failed = results
      .filter((r) => r.status !== 'COMPLETED')
      .map((r) => {
        const why = r.exitStatus.description.split('\n')[0]?.slice(0, 300);
        return `${r.stepName} (${r.status}${why ? `: ${why}` : ''})`;
      });
    throw new Error(`partitions did not complete: ${failed.join(', ')}`);
  }
}
