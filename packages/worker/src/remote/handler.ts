import { JobConfigurationError } from '../model/errors.js';
import type { StepExecution } from '../model/execution.js';
import type { PartitionHandler } from '../model/step.js';
import { realSleep, type Sleep } from '../step/fault-tolerance.js';
import type { ControlPlaneConnection } from '../step/runtime.js';
import { ControlPlaneClient, type PartitionView } from './client.js';

export interface ControlPlanePartitionOptions {
  /**
   * The step fails when its partitions have not all finished this long after their launch (they are
   * stopped first). Default 6 hours. A queued partition's wait counts too.
   */
  timeoutMs?: number;
  /**
   * Seconds each long poll may wait on the server (default 5, at most 60): a stop by signal is
   * noticed between two polls (a stop through the control plane stops the partitions at once).
   */
  pollSeconds?: number;
  /** Default: the control plane that launched this task (BATCHYARD_URL, BATCHYARD_TASK_TOKEN). */
  connection?: ControlPlaneConnection;
  fetch?: typeof fetch;
  sleep?: Sleep;
  now?: () => number;
}

/** Raised when the partitions did not finish in time: the manager step fails with it. */
export class PartitionTimeoutError extends Error {
  override readonly name = 'PartitionTimeoutError';
}

const RUNNING = new Set(['STARTING', 'STARTED', 'STOPPING']);
const mineDone = (items: readonly PartitionView[], ids: ReadonlySet<number>) =>
  items.filter((p) => ids.has(p.stepExecutionId)).length === ids.size &&
  items.every((p) => !ids.has(p.stepExecutionId) || (!RUNNING.has(p.stepStatus) && isEnded(p.status)));
const isEnded = (status: string) => ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(status);

/**
 * Remote partitions through the control plane: every partition to run becomes its own task
 * execution (a Kubernetes Job, or a local process), launched with one idempotent request
 * (`POST /tasks/executions/{id}/partitions`), then awaited by long poll — the server answers when
 * the children have ended, so nothing polls the job repository in a loop. The finished partition
 * step executions are then read once from the repository and aggregated by the partition step
 * (any failed → the step fails; a restart re-runs only those that did not complete). A stop of
 * this task stops the partitions; past `timeoutMs` they are stopped and the step fails.
 */
export function controlPlanePartitionHandler(options: ControlPlanePartitionOptions = {}): PartitionHandler {
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 6 * 3600 * 1000;
  const pollSeconds = options.pollSeconds ?? 5;
  return {
    async handle(partitions, _runLocal, ctx) {
      const connection = options.connection ?? ctx.controlPlane;
      if (!connection) {
        throw new JobConfigurationError(
          'remote partitions need the control plane that launched this task (BATCHYARD_URL, BATCHYARD_TASK_TOKEN ' +
            'and the task execution id are not set: launch the task through Batchyard)',
        );
      }
      if (partitions.length === 0) return [];
      const client = new ControlPlaneClient(connection, sleep, options.fetch);
      const ids = new Set(partitions.map((p) => p.id));
      await client.launch([...ids]);
      const deadline = now() + timeoutMs;
      let stopped = false;
      let timedOut = false;
      for (;;) {
        if (!timedOut && now() >= deadline) timedOut = true;
        if ((ctx.stop.requested || timedOut) && !stopped) {
          await client.stop();
          stopped = true;
        }
        const left = Math.ceil((deadline - now()) / 1000);
        const seconds = stopped ? pollSeconds : Math.max(1, Math.min(pollSeconds, left));
        const list = await client.wait(seconds);
        if (mineDone(list.items, ids)) break;
      }
      const finished: StepExecution[] = [];
      for (const p of partitions) {
        const se = await ctx.repository.getStepExecution(p.id);
        finished.push(se ?? p);
      }
      if (timedOut) {
        throw new PartitionTimeoutError(
          `partitions of step ${ctx.manager.stepName} did not finish within ${Math.round(timeoutMs / 1000)} s; they were stopped`,
        );
      }
      return finished;
    },
  };
}
