import { isTerminal, type TaskStatus } from '@batchyard/core';
import { executions, type PrismaClient } from '@batchyard/db';
import type { Logger } from 'pino';
import type { PlatformRegistry } from '../platform/registry.js';
import type { Observation, Platform } from '../platform/types.js';
import { decideUpdate } from '../reconcile/decide.js';

export interface ReconcilerOptions {
  /** Bytes of log kept in the database when an execution ends. */
  logTailBytes: number;
  /** Called after an execution reaches a terminal state (queue dispatch, composed tasks). */
  onTerminal?: (executionId: number, status: TaskStatus) => void;
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
  ) {}

  async apply(platform: Platform, o: Observation): Promise<void> {
    const row =
      (o.executionId !== undefined ? await executions.findExecution(this.db, o.executionId) : null) ??
      (await executions.findByExternalId(this.db, o.externalId));
    if (!row) return;
    const update = decideUpdate(
      { status: row.status as TaskStatus, startTime: row.startTime },
      o,
      new Date(),
    );
    if (!update) return;
    const changed = await executions.updateIfStatus(this.db, row.id, [row.status], {
      ...update,
      externalExecutionId: row.externalExecutionId ?? o.externalId,
    });
    if (!changed) {
      // Someone else moved the row meanwhile: re-evaluate against what is there now.
      return this.apply(platform, { ...o, executionId: row.id });
    }
    this.logger.info(
      { executionId: row.id, from: row.status, to: update.status, reason: update.reason },
      'execution status',
    );
    if (isTerminal(update.status)) {
      await this.keepLogTail(platform, row.id, o.externalId);
      if (o.cleanup)
        await platform
          .cleanup(o.externalId)
          .catch((err: unknown) => this.logger.warn({ err }, 'cleanup failed'));
      this.options.onTerminal?.(row.id, update.status);
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
  async reconcileAll(
    relaunch: (platform: Platform, row: executions.TaskExecution) => Promise<void>,
  ): Promise<void> {
    for (const platform of this.platforms.platforms) {
      const rows = await executions.nonTerminalExecutions(this.db, platform.name);
      for (const row of rows) {
        if (row.status === 'QUEUED') continue;
        if (!row.externalExecutionId) {
          if (row.status === 'LAUNCHING') await relaunch(platform, row);
          continue;
        }
        const o = await platform.observe(row.externalExecutionId);
        await this.apply(
          platform,
          o ?? { externalId: row.externalExecutionId, executionId: row.id, status: 'LOST' },
        );
      }
    }
  }

  async watchAll(): Promise<void> {
    for (const platform of this.platforms.platforms) {
      await platform.watch((o) => {
        this.apply(platform, o).catch((err: unknown) =>
          this.logger.error({ err, externalId: o.externalId }, 'reconcile failed'),
        );
      });
    }
  }
}
