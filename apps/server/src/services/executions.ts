import { Readable } from 'node:stream';
import {
  ApiError,
  badCursor,
  decodeCursor,
  encodeCursor,
  isTerminal,
  type ListExecutionsQuery,
  notFound,
  type Page,
  type TaskExecution,
  type TaskStatus,
} from '@batchyard/core';
import { audit, executions, listPages, type PrismaClient, partitions } from '@batchyard/db';
import type { Logger } from 'pino';
import type { IdempotencyClaim } from '../idempotency/claim.js';
import type { PlatformRegistry } from '../platform/registry.js';
import { toExecutionDto, toExecutionDtos } from './execution-dto.js';
import type { Launcher } from './launcher.js';

/** Stop and relaunch of composed-task parents, which have no platform resource of their own. */
export interface ComposedExecutions {
  stop(row: executions.TaskExecution, stopChildren: (ids: number[]) => Promise<unknown>): Promise<void>;
  relaunch(row: executions.TaskExecution, idempotency?: IdempotencyClaim): Promise<TaskExecution>;
}

/** Queries and lifecycle operations on existing task executions. */
export class TaskExecutionService {
  constructor(
    private readonly db: PrismaClient,
    private readonly platforms: PlatformRegistry,
    private readonly launcher: Launcher,
    private readonly logger: Logger,
  ) {}

  /** Set by the composed-task orchestrator when it starts. */
  composed: ComposedExecutions | undefined;

  async list(q: ListExecutionsQuery): Promise<Page<TaskExecution>> {
    const before = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (q.cursor && (!before || typeof before[0] !== 'number')) {
      throw badCursor();
    }
    const filter = {
      taskName: q.task,
      status: q.status,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      parentExecutionId: q.parent,
    };
    // One prepared statement: the page with each row's job execution ids and queue position.
    const rows = await listPages.executionPage(
      this.db,
      filter,
      q.size + 1,
      before?.[0] as number | undefined,
    );
    const items = rows.slice(0, q.size);
    const last = items.at(-1);
    return {
      items: items.map((r) => toExecutionDto(r.row, r.jobExecutionIds, r.queuePosition)),
      page: {
        size: q.size,
        next: rows.length > q.size && last ? encodeCursor([last.row.id]) : null,
        ...(q.total ? { total: await executions.countExecutions(this.db, filter) } : {}),
      },
    };
  }

  async get(id: number): Promise<TaskExecution> {
    const row = await executions.findExecution(this.db, id);
    if (!row) throw notFound('task execution', id);
    return (await toExecutionDtos(this.db, [row]))[0]!;
  }

  async byExternalId(externalId: string): Promise<TaskExecution> {
    const row = await executions.findByExternalId(this.db, externalId);
    if (!row) throw notFound('task execution with external id', externalId);
    return (await toExecutionDtos(this.db, [row]))[0]!;
  }

  /** SCDF's info count: `days` counts finished executions that ended at least that many days ago. */
  async count(q: { name?: string; completed?: boolean; days?: number }, now = new Date()): Promise<number> {
    return executions.countFinished(this.db, {
      taskName: q.name,
      completed: q.completed,
      endedBefore: q.days !== undefined ? new Date(now.getTime() - q.days * 86_400_000) : undefined,
    });
  }

  async current() {
    return Promise.all(
      this.platforms.platforms.map(async (p) => {
        const counts = await executions.countByStatus(this.db, p.name);
        const running = ['LAUNCHING', 'PENDING', 'RUNNING', 'STOPPING'].reduce(
          (n, s) => n + (counts.get(s as executions.TaskExecutionStatus) ?? 0),
          0,
        );
        return {
          name: p.name,
          type: p.type,
          maximumTaskExecutions: p.maxConcurrent,
          runningExecutionCount: running,
          queuedExecutionCount: counts.get('QUEUED') ?? 0,
        };
      }),
    );
  }

  total = (taskName: string) => executions.totalForTask(this.db, taskName);

  private async existing(ids: number[]) {
    const rows = await executions.findExecutions(this.db, ids);
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length > 0) throw notFound('task execution', missing.join(','));
    return rows;
  }

  /**
   * Stops executions: queued ones end STOPPED at once; live ones go STOPPING, their process gets
   * SIGTERM and its grace period (the worker finishes its chunk), and the reconciler records
   * STOPPED when the platform confirms. Stopping a finished execution is a no-op.
   */
  async stop(ids: number[]): Promise<TaskExecution[]> {
    const rows = await this.existing(ids);
    // Queued ones first: a running one that ends frees capacity, and the dispatcher would start
    // the next queued one of this very request.
    const queuedFirst = [...rows].sort(
      (a, b) => Number(b.status === 'QUEUED') - Number(a.status === 'QUEUED'),
    );
    for (const row of queuedFirst) await this.stopOne(row);
    return toExecutionDtos(this.db, await executions.findExecutions(this.db, ids));
  }

  /** One execution, decided on its status; a status that moved meanwhile is decided again. */
  private async stopOne(row: executions.TaskExecution, attempt = 0): Promise<void> {
    const status = row.status as TaskStatus;
    if (isTerminal(status) || status === 'STOPPING') return;
    if (row.platformType === 'composed' && this.composed) {
      await this.composed.stop(row, (children) => this.stop(children));
      return;
    }
    const stopped =
      status === 'QUEUED'
        ? await executions.updateIfStatus(this.db, row.id, ['QUEUED'], {
            status: 'STOPPED',
            endTime: new Date(),
            reason: 'StoppedWhileQueued',
          })
        : await executions.updateIfStatus(this.db, row.id, [row.status], { status: 'STOPPING' });
    if (!stopped) {
      // Claimed by the dispatcher, or moved on by the reconciler, since it was read.
      const fresh = attempt < 3 ? await executions.findExecution(this.db, row.id) : null;
      if (fresh) await this.stopOne(fresh, attempt + 1);
      return;
    }
    if (status === 'QUEUED') {
      this.launcher.stoppedWhileQueued(row.id);
      return;
    }
    await audit.recordAudit(this.db, {
      operation: 'TASK_EXECUTION',
      action: 'STOP',
      correlationId: String(row.id),
    });
    const platform = this.platforms.find(row.platformName);
    // A LAUNCHING row has no resource yet: the launcher stops it once it exists (Launcher.start).
    if (platform && row.externalExecutionId) {
      const externalId = row.externalExecutionId;
      // The grace period can be long: the request returns now, the reconciler records the end.
      platform
        .stop(externalId)
        .catch((err: unknown) => this.logger.error({ err, executionId: row.id }, 'stop failed'));
    }
    // A manager's remote partitions stop with it (they are its children, each with its own resource).
    const partitionsLeft = (await partitions.childrenOf(this.db, row.id))
      .filter((c) => !isTerminal(c.status as TaskStatus))
      .map((c) => c.id);
    if (partitionsLeft.length > 0) await this.stop(partitionsLeft);
  }

  /** CLEANUP removes platform resources (idempotent); REMOVE_DATA also deletes the records. */
  async cleanup(
    ids: number[],
    actions: Set<'CLEANUP' | 'REMOVE_DATA'>,
  ): Promise<{ cleaned: number; removed: number }> {
    const rows = await this.existing(ids);
    const live = rows.filter((r) => !isTerminal(r.status as TaskStatus));
    if (actions.has('REMOVE_DATA') && live.length > 0) {
      throw new ApiError(
        'CONFLICT',
        `executions ${live.map((r) => r.id).join(', ')} are still running; stop them first`,
      );
    }
    let cleaned = 0;
    for (const row of rows) {
      const platform = this.platforms.find(row.platformName);
      if (platform && row.externalExecutionId && isTerminal(row.status as TaskStatus)) {
        await platform.cleanup(row.externalExecutionId);
        cleaned++;
      }
    }
    let removed = 0;
    if (actions.has('REMOVE_DATA')) removed = await executions.deleteExecutions(this.db, ids);
    await audit.recordAudit(this.db, {
      operation: 'TASK_EXECUTION',
      action: actions.has('REMOVE_DATA') ? 'REMOVE_DATA' : 'CLEANUP',
      correlationId: ids.join(',').slice(0, 255),
    });
    return { cleaned, removed };
  }

  async cleanupMatching(
    filter: { task?: string; status?: TaskStatus; olderThanDays?: number },
    actions: Set<'CLEANUP' | 'REMOVE_DATA'>,
  ) {
    const olderThan =
      filter.olderThanDays !== undefined
        ? new Date(Date.now() - filter.olderThanDays * 86_400_000)
        : undefined;
    const ids = await executions.executionIds(
      this.db,
      { taskName: filter.task, status: filter.status, olderThan },
      10_000,
    );
    const rows = await executions.findExecutions(this.db, ids);
    const finished = rows.filter((r) => isTerminal(r.status as TaskStatus)).map((r) => r.id);
    if (finished.length === 0) return { cleaned: 0, removed: 0 };
    return this.cleanup(finished, actions);
  }

  /** Same task, arguments and properties; a new execution. */
  async relaunch(id: number, idempotency?: IdempotencyClaim): Promise<TaskExecution> {
    const row = await executions.findExecution(this.db, id);
    if (!row) throw notFound('task execution', id);
    if (row.platformType === 'composed' && this.composed) return this.composed.relaunch(row, idempotency);
    return this.launcher.launch(
      { name: row.taskName, ...this.launcher.storedRequest(row), platform: row.platformName ?? undefined },
      { idempotency },
    );
  }

  /** From the platform while its resource exists; afterwards the tail kept in the database. */
  async logs(id: number, options: { tail?: number; follow?: boolean }): Promise<Readable> {
    const row = await executions.findExecution(this.db, id);
    if (!row) throw notFound('task execution', id);
    const platform = this.platforms.find(row.platformName);
    const kept = (): Readable => {
      const text = row.logTail ?? '';
      const lines = options.tail
        ? `${text.split('\n').filter(Boolean).slice(-options.tail).join('\n')}\n`
        : text;
      return Readable.from([lines]);
    };
    if (!platform || !row.externalExecutionId) return Readable.from(['']);
    if (isTerminal(row.status as TaskStatus) && row.logTail !== null) {
      const live = await platform.observe(row.externalExecutionId).catch(() => undefined);
      if (!live) return kept();
    }
    try {
      return await platform.logs(row.externalExecutionId, options);
    } catch (err) {
      if (row.logTail !== null) return kept();
      throw new ApiError(
        'PLATFORM_UNAVAILABLE',
        `logs of execution ${id} are not available: ${(err as Error).message}`,
      );
    }
  }
}
