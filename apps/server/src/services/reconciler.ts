import { isTerminal, sanitizeArguments, type TaskStatus } from '@batchyard/core';
import { appTaskRows, type Db, executions, type PrismaClient } from '@batchyard/db';
import { recoverStaleExecutions } from '@batchyard/worker';
import type { Logger } from 'pino';
import { type LoopFence, throughFence } from '../leader/fence.js';
import type { PlatformRegistry } from '../platform/registry.js';
import type { ChangeRef, Platform } from '../platform/types.js';
import { withAppRecord } from '../reconcile/app-record.js';
import { KeyedCoalescer } from '../reconcile/coalesce.js';
import { decideUpdate } from '../reconcile/decide.js';

export interface ReconcilerOptions {
  /** Bytes of log kept in the database when an execution ends. */
  logTailBytes: number;
  /** Called after an execution reaches a terminal state (queue dispatch, composed tasks). */
  onTerminal?: (executionId: number, status: TaskStatus) => void;
  /** Called when a platform resource with no row (a CronJob's Job, a kubectl Job) became an execution. */
  onAdopted?: (scheduled: boolean) => void;
  /**
   * Reconciles of watch events in flight at once (default: unbounded). A burst of pod events then
   * cannot take every pool connection from the API's own queries (launches wait behind them).
   */
  maxConcurrent?: number;
}

/**
 * Folds platform observations into execution rows. Each observation is applied against a fresh
 * read of the row, and the update is conditional on the status read, so two observers (a watch
 * event and a resync) can never move a row backwards.
 */
export class Reconciler {
  constructor(
    private readonly db: PrismaClient,
    private readonly platforms: PlatformRegistry,
    private readonly logger: Logger,
    private readonly options: ReconcilerOptions,
  ) {
    this.events = new KeyedCoalescer<{ platform: Platform; ref: ChangeRef }>(
      ({ platform, ref }) => this.apply(platform, ref),
      (err, { ref }) => this.logger.error({ err, externalId: ref.externalId }, 'reconcile failed'),
      (pending, newer) => ({
        platform: newer.platform,
        ref: {
          externalId: newer.ref.externalId,
          executionId: newer.ref.executionId ?? pending.ref.executionId,
        },
      }),
      this.options.maxConcurrent,
    );
  }

  /** Re-reads the row, asks the platform what is true now, and records the difference. */
  async apply(platform: Platform, ref: ChangeRef, attempt = 0): Promise<void> {
    const row =
      (ref.executionId !== undefined ? await executions.findExecution(this.db, ref.executionId) : null) ??
      (await executions.findByExternalId(this.db, ref.externalId)) ??
      (await this.adopt(platform, ref));
    if (!row || isTerminal(row.status as TaskStatus)) return;
    const externalId = row.externalExecutionId ?? ref.externalId;
    const recorded = {
      executionId: row.id,
      status: row.status as TaskStatus,
      startTime: row.startTime,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
    const o = (await platform.observe(externalId, recorded)) ?? { externalId, status: 'LOST' as const };
    const decided = decideUpdate(recorded, o, new Date());
    const terminal = decided !== undefined && isTerminal(decided.status);
    // A Spring app given no execution id (a CronJob's run) wrote a row of its own: merge it in.
    if (!terminal)
      await throughFence(this.fence, this.db, 'reconcile', (db) =>
        this.mergeAppRows(db, row.id, externalId, false),
      );
    if (!decided) return;
    const record = async (db: Db) => {
      if (terminal) await this.mergeAppRows(db, row.id, externalId, true);
      // What the app wrote in Spring Cloud Task's row (exit message, error) joins the platform's end.
      const update = terminal ? withAppRecord(decided, await executions.springRecord(db, row.id)) : decided;
      // The external id only when it is new: with it the update also writes Spring's row (a second
      // round trip), which an execution launched by this server already carries.
      const changed = await executions.updateIfStatus(db, row.id, [row.status], {
        ...update,
        ...(row.externalExecutionId === externalId ? {} : { externalExecutionId: externalId }),
      });
      return { changed, update };
    };
    // The end, the app's row merged into it and its deletion commit together, fenced.
    const written = await throughFence(this.fence, this.db, 'reconcile', record);
    if (!written.landed) return; // a newer leader records it
    const { changed, update } = written.value;
    if (!changed) {
      // Someone else moved the row meanwhile: decide again against what is there now.
      if (attempt < 3) await this.apply(platform, { externalId, executionId: row.id }, attempt + 1);
      return;
    }
    this.logger.info(
      { executionId: row.id, from: row.status, to: update.status, reason: update.reason },
      'execution status',
    );
    if (isTerminal(update.status)) {
      if (update.status !== 'COMPLETE') await this.recoverJobs(row.id, update.reason ?? update.status);
      await this.keepLogTail(platform, row.id, externalId);
      if (o.cleanup)
        await platform
          .cleanup(externalId)
          .catch((err: unknown) => this.logger.warn({ err }, 'cleanup failed'));
      this.options.onTerminal?.(row.id, update.status);
    }
  }

  /**
   * A platform resource with no row — a Job a CronJob created, one applied with kubectl, or one
   * whose row was lost — becomes an execution like any launch. The unique external id makes a
   * second adoption of the same Job (two events, two servers) a no-op.
   */
  private async adopt(platform: Platform, ref: ChangeRef): Promise<executions.TaskExecution | null> {
    if (ref.executionId !== undefined || !platform.identify) return null;
    const identity = await platform.identify(ref.externalId);
    if (!identity) return null;
    const adopted = await throughFence(this.fence, this.db, 'reconcile', (db) =>
      executions.adoptExecution(db, {
        taskName: identity.taskName,
        status: 'PENDING',
        arguments: sanitizeArguments(identity.arguments),
        properties: {},
        platformName: platform.name,
        platformType: platform.type,
        scheduleName: identity.scheduleName ?? null,
        externalExecutionId: ref.externalId,
      }),
    );
    if (!adopted.landed) return null;
    const row = adopted.value;
    if (row) {
      this.logger.info(
        { executionId: row.id, externalId: ref.externalId, schedule: identity.scheduleName },
        'adopted',
      );
      this.options.onAdopted?.(identity.scheduleName !== undefined);
    }
    return row ?? (await executions.findByExternalId(this.db, ref.externalId));
  }

  private async mergeAppRows(db: Db, executionId: number, externalId: string, final: boolean) {
    const merged = await appTaskRows.mergeAppTaskRows(db, executionId, externalId, final);
    if (merged.movedJobExecutionIds.length > 0 || (final && merged.appTaskExecutionIds.length > 0)) {
      this.logger.info({ executionId, ...merged, final }, "merged the app's own TASK_EXECUTION row");
    }
  }

  /**
   * The platform says the task ended without success: any batch job it left STARTED (the worker
   * was OOM-killed, evicted, SIGKILLed) is marked FAILED, so it never stays running and can be
   * restarted from its last committed chunk. Jobs the worker ended itself are untouched.
   */
  private async recoverJobs(taskExecutionId: number, reason: string): Promise<void> {
    const db = this.db;
    const sql = {
      async query(text: string, values: unknown[] = []) {
        const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(text, ...values);
        return { rows, rowCount: rows.length };
      },
    };
    try {
      const r = await recoverStaleExecutions(sql, { taskExecutionId }, { reason });
      if (r.jobExecutionIds.length > 0) {
        this.logger.warn(
          { taskExecutionId, jobExecutionIds: r.jobExecutionIds, reason },
          'batch jobs left running marked FAILED',
        );
      }
    } catch (err) {
      this.logger.error({ err, taskExecutionId }, 'could not recover batch jobs');
    }
  }

  private async keepLogTail(platform: Platform, id: number, externalId: string): Promise<void> {
    try {
      const stream = await platform.logs(externalId, { tail: 2000 });
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
      const all = Buffer.concat(chunks);
      const tail = all.subarray(Math.max(0, all.length - this.options.logTailBytes)).toString('utf8');
      await executions.updateExecution(this.db, id, { logTail: tail });
    } catch (err) {
      this.logger.warn({ err, executionId: id }, 'could not keep the log tail');
    }
  }

  /**
   * Start-up: every non-terminal row is checked against the platform. Resource gone → LOST;
   * finished while we were down → caught up; a launch interrupted before its resource existed
   * is launched again (launches are idempotent).
   */
  /**
   * Every non-terminal row checked against the platform: at start-up (resource gone → LOST,
   * finished while we were down → caught up, an interrupted launch is launched again — launches
   * are idempotent) and periodically, so a missed event or a timeout is at most one period late.
   */
  async reconcileAll(
    relaunch?: (platform: Platform, row: executions.TaskExecution) => Promise<void>,
  ): Promise<void> {
    for (const platform of this.platforms.platforms) {
      const rows = await executions.nonTerminalExecutions(this.db, platform.name);
      for (const row of rows) {
        if (row.status === 'QUEUED') continue;
        if (!row.externalExecutionId) {
          // Claimed but never recorded as launched (the server died in between). A STOPPING one was
          // stopped in that window: launching is idempotent, and the launcher stops what it finds
          // or creates for a STOPPING row, or records it STOPPED if nothing can be launched.
          if ((row.status === 'LAUNCHING' || row.status === 'STOPPING') && relaunch)
            await relaunch(platform, row);
          continue;
        }
        await this.apply(platform, { externalId: row.externalExecutionId, executionId: row.id }).catch(
          (err: unknown) => this.logger.error({ err, executionId: row.id }, 'reconcile failed'),
        );
      }
    }
  }

  /**
   * Watch events, one reconcile in flight per platform resource: the events that arrive meanwhile
   * become one more reconcile after it (each reads the row and observes the current state, so
   * intermediate events add nothing but database reads).
   */
  private readonly events: KeyedCoalescer<{ platform: Platform; ref: ChangeRef }>;

  /** The fence of this reconciler's writes while it runs as a leader's loop (leader/fence.ts). */
  fence: LoopFence | undefined;

  /**
   * Watch events are acted on only while this replica leads (informers run on every replica, so a
   * new leader starts with warm caches and a full reconcile pass).
   */
  paused = false;

  async watchAll(): Promise<void> {
    for (const platform of this.platforms.platforms) {
      await platform.watch((ref) => {
        if (this.paused) return;
        void this.events.request(`${platform.name}/${ref.externalId}`, { platform, ref });
      });
    }
  }
}
