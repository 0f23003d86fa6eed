import {
  ApiError,
  isTerminal,
  type LaunchPartitionsBody,
  notFound,
  type Partition,
  type PartitionList,
  type TaskExecution,
  type TaskStatus,
} from '@batchyard/core';
import { executions, type PrismaClient, partitions } from '@batchyard/db';
import { recoverStaleExecutions } from '@batchyard/worker';
import type { Logger } from 'pino';
import type { TaskExecutionService } from '../services/executions.js';
import { type Launcher, PartitionTaken } from '../services/launcher.js';

/** Spring Batch statuses of a step execution that has not ended. */
const STEP_RUNNING = new Set(['STARTING', 'STARTED', 'STOPPING']);
/** A long poll re-reads at least this often: a terminal change seen by another replica wakes no one here. */
const RECHECK_MS = 5000;
export const PARTITION_ARG = '--partition-step-execution=';

/**
 * Remote partitions: a task's partitioned step asks for one child execution per partition step
 * execution of its job; each is an ordinary launch (the account's queue, limits and quotas apply)
 * whose row carries the partition's step execution id, unique, so a repeated request returns the
 * same child. The manager waits by long poll, woken by the children's terminal transitions.
 */
export class PartitionService {
  private readonly waiters = new Map<number, Set<() => void>>();

  constructor(
    private readonly db: PrismaClient,
    private readonly launcher: Launcher,
    private readonly executions: TaskExecutionService,
    private readonly logger: Logger,
  ) {}

  private async manager(id: number): Promise<executions.TaskExecution> {
    const row = await executions.findExecution(this.db, id);
    if (!row) throw notFound('task execution', id);
    return row;
  }

  /** Launches the children not launched yet; answers every requested partition. */
  async launch(managerId: number, body: LaunchPartitionsBody): Promise<PartitionList> {
    const manager = await this.manager(managerId);
    if (isTerminal(manager.status as TaskStatus)) {
      throw new ApiError('CONFLICT', `task execution ${managerId} has ended (${manager.status})`);
    }
    if (manager.partitionStepExecutionId !== null) {
      throw new ApiError('VALIDATION_FAILED', `task execution ${managerId} is itself a partition`);
    }
    const ids = [...new Set(body.partitions.map((p) => p.stepExecutionId))];
    const steps = await partitions.stepsOfTask(this.db, managerId, ids);
    const problems = body.partitions
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => !steps.some((s) => s.id === p.stepExecutionId))
      .map(({ p, i }) => ({
        path: `body.partitions.${i}.stepExecutionId`,
        message: `step execution ${p.stepExecutionId} is not one of the job task execution ${managerId} runs`,
      }));
    if (problems.length > 0) {
      throw new ApiError(
        'VALIDATION_FAILED',
        problems.map((p) => `${p.path}: ${p.message}`).join('; '),
        problems,
      );
    }
    const request = this.launcher.storedRequest(manager);
    const args = request.arguments.filter((a) => !a.startsWith(PARTITION_ARG));
    for (const id of ids) {
      const existing = await partitions.childOf(this.db, id);
      if (existing) {
        if (existing.parentExecutionId !== managerId) {
          throw new ApiError(
            'CONFLICT',
            `step execution ${id} already runs as execution ${existing.id}, a partition of another execution`,
          );
        }
        continue;
      }
      try {
        await this.launcher.launch(
          {
            name: manager.taskName,
            arguments: [...args, `${PARTITION_ARG}${id}`],
            properties: request.properties,
            platform: manager.platformName ?? undefined,
          },
          { parentExecutionId: managerId, partitionStepExecutionId: id },
        );
      } catch (err) {
        // Two requests for one partition at once: the launch statement made one child; the other reads it.
        if (!(err instanceof PartitionTaken)) throw err;
      }
    }
    return this.list(managerId, ids);
  }

  /** The children of a manager (only those of `ids` when given) with their partitions' progress. */
  async list(managerId: number, ids?: readonly number[]): Promise<PartitionList> {
    await this.manager(managerId);
    const wanted = ids ? new Set(ids) : undefined;
    const children = (await partitions.childrenOf(this.db, managerId)).filter(
      (c) => !wanted || wanted.has(Number(c.partitionStepExecutionId)),
    );
    const steps = new Map(
      (
        await partitions.stepsOfTask(
          this.db,
          managerId,
          children.map((c) => Number(c.partitionStepExecutionId)),
        )
      ).map((s) => [s.id, s]),
    );
    const items: Partition[] = children.map((c) => {
      const stepId = Number(c.partitionStepExecutionId);
      const step = steps.get(stepId);
      return {
        stepExecutionId: stepId,
        stepName: step?.stepName ?? '',
        executionId: c.id,
        status: c.status as TaskStatus,
        reason: c.reason,
        stepStatus: step?.status ?? 'UNKNOWN',
        exitMessage: step?.exitMessage ?? '',
        readCount: step?.readCount ?? 0,
        writeCount: step?.writeCount ?? 0,
        commitCount: step?.commitCount ?? 0,
      };
    });
    const done = items.every((p) => isTerminal(p.status) && !STEP_RUNNING.has(p.stepStatus));
    return { items, done };
  }

  /** Long poll: answers once every child is done, or after `seconds`. */
  async wait(managerId: number, seconds: number, signal?: AbortSignal): Promise<PartitionList> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const now = await this.list(managerId);
      const left = deadline - Date.now();
      if (now.done || left <= 0 || signal?.aborted) return now;
      await this.changeOf(managerId, Math.min(left, RECHECK_MS), signal);
    }
  }

  private changeOf(managerId: number, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(managerId) ?? new Set();
      this.waiters.set(managerId, set);
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(managerId) === set) this.waiters.delete(managerId);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal?.addEventListener('abort', wake, { once: true });
      set.add(wake);
    });
  }

  /** Stops every partition of the manager still running. */
  async stop(managerId: number): Promise<TaskExecution[]> {
    await this.manager(managerId);
    const live = (await partitions.childrenOf(this.db, managerId)).filter(
      (c) => !isTerminal(c.status as TaskStatus),
    );
    return live.length > 0 ? this.executions.stop(live.map((c) => c.id)) : [];
  }

  /**
   * An execution ended. A partition's child that did not complete fails its step execution with
   * the platform's reason (OOMKilled, Evicted, …) if the worker could not (STOPPED when the child was
   * stopped), then its manager is woken.
   * A manager that ended stops the partitions it left running. Its token goes in both cases.
   */
  async terminal(executionId: number, status: TaskStatus): Promise<void> {
    const row = await executions.findExecution(this.db, executionId);
    await partitions.deleteTaskToken(this.db, executionId);
    if (!row) return;
    if (row.partitionStepExecutionId === null) {
      const left = await this.stop(executionId).catch(() => []);
      if (left.length > 0)
        this.logger.warn(
          { executionId, partitions: left.map((c) => c.id) },
          'stopped the partitions of an ended execution',
        );
      return;
    }
    if (status !== 'COMPLETE') {
      const reason = [row.reason ?? status, row.errorMessage].filter(Boolean).join(': ');
      const r = await recoverStaleExecutions(
        sqlOf(this.db),
        { stepExecutionId: Number(row.partitionStepExecutionId) },
        { reason: `execution ${row.id} ${reason}`, status: status === 'STOPPED' ? 'STOPPED' : 'FAILED' },
      );
      if (r.stepExecutionIds.length > 0) {
        this.logger.warn(
          { executionId, stepExecutionIds: r.stepExecutionIds, reason },
          'partition step failed with its execution',
        );
      }
    }
    if (row.parentExecutionId !== null)
      for (const wake of [...(this.waiters.get(row.parentExecutionId) ?? [])]) wake();
  }
}

/** The worker's recovery speaks plain SQL; Prisma's raw queries carry it. */
function sqlOf(db: PrismaClient) {
  return {
    async query(text: string, values: unknown[] = []) {
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(text, ...values);
      return { rows, rowCount: rows.length };
    },
  };
}
