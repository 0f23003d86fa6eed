import {
  ApiError,
  type LaunchBody,
  notFound,
  splitLaunchProperties,
  type TaskExecution,
} from '@batchyard/core';
import { audit, type Db, definitions, executions, type PrismaClient } from '@batchyard/db';
import {
  type ChildOutcomes,
  type ComposedTask,
  childDefinitionName,
  composedTaskApps,
  planComposedTask,
  restartOutcomes,
} from '@batchyard/dsl';
import type { Logger } from 'pino';
import { type IdempotencyClaim, recordClaim } from '../idempotency/claim.js';
import { type LoopFence, throughFence } from '../leader/fence.js';
import { toExecutionDtos } from '../services/execution-dto.js';
import type { Launcher, LaunchOptions } from '../services/launcher.js';
import { syncComposedBatchJob } from './batch-job.js';
import { composedLaunchOptions, withoutComposedOptions } from './options.js';
import { isEnded, lockParent, safeParse, storedRequest } from './rows.js';
import {
  childArguments,
  childOutcomes,
  childProperties,
  nestedChildProperties,
  parentEnd,
  RESTART_OF,
} from './state.js';

/** Parent rows have no platform resource; this name keeps them out of every account's counts. */
export const COMPOSED_PLATFORM = 'composed';
/** Parent property holding the account its children launch on. */
export const PLATFORM_KEY = 'composed.platform';

type Row = executions.TaskExecution;

/** Thrown by the launch guard: another advance already launched this child, or the parent ended. */
class SkipLaunch extends Error {}

export interface OrchestratorOptions {
  maxConcurrentChildren: number;
  /** Throws the 400 for an unknown platform account, so a bad launch fails before any row exists. */
  checkPlatform?: (name: string | undefined) => void;
  /** Stops child executions (a timeout ends the parent while children still run). */
  stopChildren?: (ids: number[]) => Promise<unknown>;
  /** The clock, for maxWaitTime and friends. */
  now?: () => number;
}

/**
 * Drives composed tasks without a runner pod. The database is the whole state: the parent row
 * and its child rows are read, the pure planner decides, and each child launch is guarded inside
 * the launch transaction (per-parent advisory lock + "no row for this node yet"), so concurrent
 * advances, several servers and restarts never launch a child twice. Advances the leader's loop
 * makes (resync, a child's end) are fenced as well: a deposed leader launches and ends nothing.
 * Advances a request makes (launch, stop) run on whichever replica served it.
 */
export class ComposedOrchestrator {
  /** Advances of one parent run one after another in this process (other processes: the guard). */
  private readonly chains = new Map<number, Promise<void>>();
  /** Unsanitised launch requests of parents started here; after a restart the stored copy is used. */
  private readonly requests = new Map<number, { arguments: string[]; properties: Record<string, string> }>();

  /** Set while the composed loop runs here, as the leader's (leader/fence.ts); see loop.ts. */
  loopFence: LoopFence | undefined;

  constructor(
    private readonly db: PrismaClient,
    private readonly launcher: Launcher,
    private readonly logger: Logger,
    private readonly options: OrchestratorOptions,
  ) {}

  /** Everything a composed launch checks before its row exists (the launch preview runs it alone). */
  async validate(body: LaunchBody): Promise<{ name: string }> {
    const def = await definitions.findDefinition(this.db, body.name);
    if (!def) throw notFound('task definition', body.name);
    // Malformed property keys are the caller's mistake: a 400 naming them, before any row exists.
    // SCDF composed task runner options (maxWaitTime, ignoreExitMessage, …) are the parent's own:
    // checked here (a 400 naming the key), never routed to a child.
    const graph = def.composed ? safeParse(def.dslText) : undefined;
    const ids = graph ? composedTaskApps(graph).map((c) => c.id) : [];
    const { issues } = composedLaunchOptions(body.properties, ids);
    if (issues.length > 0) {
      throw new ApiError('INVALID_PROPERTY', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
    }
    splitLaunchProperties(withoutComposedOptions(body.properties), '*');
    this.options.checkPlatform?.(body.platform);
    return def;
  }

  /** Creates the parent execution (RUNNING, no platform resource) and launches the first children. */
  async launch(body: LaunchBody, options: LaunchOptions = {}, restartOf?: number): Promise<TaskExecution> {
    const def = await this.validate(body);
    const properties: Record<string, string> = { ...body.properties };
    if (body.platform !== undefined) properties[PLATFORM_KEY] = body.platform;
    if (restartOf !== undefined) properties[RESTART_OF] = String(restartOf);
    const parent = await this.db.$transaction(async (tx) => {
      await options.beforeInsert?.(tx);
      const row = await executions.insertExecution(tx, {
        taskName: def.name,
        status: 'RUNNING',
        ...this.launcher.secrets.store({ arguments: body.arguments, properties }),
        platformName: COMPOSED_PLATFORM,
        platformType: 'composed',
        scheduleName: options.scheduleName ?? null,
        parentExecutionId: options.parentExecutionId ?? null,
      });
      if (options.idempotency) await recordClaim(tx, options.idempotency, row.id);
      const startTime = new Date();
      await executions.updateExecution(tx, row.id, { startTime });
      // The parent is Batchyard's own run: its Spring Cloud Task row is written here, as SCDF's
      // composed task runner writes its own.
      await executions.recordSpringStart(tx, row.id, startTime);
      await audit.recordAudit(tx, {
        operation: 'TASK_EXECUTION',
        action: restartOf === undefined ? 'LAUNCH' : 'RESTART',
        correlationId: String(row.id),
        data: { task: def.name, composed: true, ...(restartOf === undefined ? {} : { restartOf }) },
      });
      return row;
    });
    this.requests.set(parent.id, { arguments: body.arguments, properties });
    await this.advance(parent.id);
    return this.dto(parent.id);
  }

  /** Restarts a FAILED or STOPPED parent: completed children are kept, the rest run again. */
  async restart(row: Row, idempotency?: IdempotencyClaim): Promise<TaskExecution> {
    if (row.status !== 'FAILED' && row.status !== 'STOPPED') {
      throw new ApiError(
        'CONFLICT',
        `execution ${row.id} is ${row.status}; only a FAILED or STOPPED composed task restarts`,
      );
    }
    const stored = this.requests.get(row.id) ?? this.launcher.storedRequest(row);
    const { [RESTART_OF]: _previous, [PLATFORM_KEY]: platform, ...properties } = stored.properties;
    return this.launch(
      { name: row.taskName, arguments: stored.arguments, properties, platform },
      { scheduleName: row.scheduleName ?? undefined, idempotency },
      row.id,
    );
  }

  /**
   * Relaunch: a FAILED or STOPPED parent restarts (SCDF's composed-task restart, but keeping the
   * original arguments); a finished one runs again from the start with the same request.
   */
  async relaunch(row: Row, idempotency?: IdempotencyClaim): Promise<TaskExecution> {
    if (row.status === 'FAILED' || row.status === 'STOPPED') return this.restart(row, idempotency);
    const stored = this.requests.get(row.id) ?? this.launcher.storedRequest(row);
    const { [RESTART_OF]: _previous, [PLATFORM_KEY]: platform, ...properties } = stored.properties;
    return this.launch(
      { name: row.taskName, arguments: stored.arguments, properties, platform },
      { idempotency },
    );
  }

  /** Marks the parent STOPPING (under its lock, so no child launch slips past) and stops children. */
  async stop(row: Row, stopChildren: (ids: number[]) => Promise<unknown>): Promise<void> {
    const stopping = await this.db.$transaction(async (tx) => {
      await lockParent(tx, row.id);
      return executions.updateIfStatus(tx, row.id, ['RUNNING'], { status: 'STOPPING' });
    });
    if (!stopping) return;
    await audit.recordAudit(this.db, {
      operation: 'TASK_EXECUTION',
      action: 'STOP',
      correlationId: String(row.id),
    });
    const live = (await this.children(this.db, row.id)).filter((c) =>
      executions.NON_TERMINAL.includes(c.status),
    );
    if (live.length > 0) await stopChildren(live.map((c) => c.id));
    // Queued children end STOPPED without a terminal event: look again now.
    await this.advance(row.id);
  }

  /** Terminal listener: a child ended, so its parent may move on. */
  async onTerminal(executionId: number): Promise<void> {
    const fence = this.loopFence;
    const row = await executions.findExecution(this.db, executionId);
    if (row?.parentExecutionId) await this.advance(row.parentExecutionId, fence);
  }

  /** Start-up and resync: re-plans every live parent (resumes graphs a restart interrupted). */
  async resumeAll(): Promise<void> {
    const fence = this.loopFence;
    for (const parent of await executions.nonTerminalExecutions(this.db, COMPOSED_PLATFORM)) {
      await this.advance(parent.id, fence).catch((err: unknown) =>
        this.logger.error({ err, executionId: parent.id }, 'composed task resume failed'),
      );
    }
  }

  /** Re-plans one parent; with `fence`, every write of the step is the leader loop's, fenced. */
  advance(parentId: number, fence?: LoopFence): Promise<void> {
    const previous = this.chains.get(parentId) ?? Promise.resolve();
    const next = previous
      .then(() => this.step(parentId, fence))
      .then(() => this.syncBatchJob(parentId))
      .catch((err: unknown) => {
        this.logger.error({ err, executionId: parentId }, 'composed task step failed');
      });
    this.chains.set(parentId, next);
    void next.then(() => {
      if (this.chains.get(parentId) === next) this.chains.delete(parentId);
    });
    return next;
  }

  /** One re-plan; repeats while a launch ended at once (a launch failure has no terminal event). */
  private async step(parentId: number, fence: LoopFence | undefined): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      const parent = await executions.findExecution(this.db, parentId);
      if (parent?.platformType !== 'composed') return;
      if (parent.status !== 'RUNNING' && parent.status !== 'STOPPING') return;
      const task = await this.taskOf(parent, fence);
      if (!task) return;
      const outcomes = childOutcomes(
        parent.taskName,
        await this.children(this.db, parentId),
        await this.inherited(parent, task),
      );
      const running = Object.values(outcomes).some((o) => o?.state === 'RUNNING');
      if (parent.status === 'STOPPING') {
        if (!running)
          await this.finish(
            parentId,
            { status: 'STOPPED', exitCode: 1, exitMessage: 'Stopped on request' },
            fence,
          );
        return;
      }
      const plan = planComposedTask(task, outcomes, this.planOptions(parent, task));
      if (plan.finished) {
        if (plan.stop && plan.stop.length > 0) await this.stopTimedOut(parent, plan.stop);
        await this.finish(parentId, parentEnd(plan.finished), fence);
        return;
      }
      const launched = await Promise.all(plan.launch.map((id) => this.launchChild(parent, task, id, fence)));
      if (!launched.some((e) => e !== undefined && isEnded(e.status))) return;
    }
  }

  /** The parent's request after a restart: secrets opened when sealed, else as stored (masked). */
  private openedRequest(parent: Row): { arguments: string[]; properties: Record<string, string> } {
    try {
      return this.launcher.storedRequest(parent);
    } catch {
      return storedRequest(parent);
    }
  }

  /** The launch's composed options (validated at launch), the server's bound and the clock. */
  private planOptions(parent: Row, task: ComposedTask) {
    const request = this.requests.get(parent.id) ?? this.openedRequest(parent);
    const ids = composedTaskApps(task).map((c) => c.id);
    const { plan } = composedLaunchOptions(request.properties, ids, 'properties', undefined, false);
    const max = this.options.maxConcurrentChildren;
    return {
      ...plan,
      maxConcurrent: Math.min(plan.maxConcurrent ?? max, max),
      now: (this.options.now ?? Date.now)(),
      startedAt: (parent.startTime ?? parent.createdAt).getTime(),
    };
  }

  /** A timeout ended the graph: its running children are stopped, then the parent fails. */
  private async stopTimedOut(parent: Row, ids: readonly string[]): Promise<void> {
    const names = new Set(ids.map((id) => childDefinitionName(parent.taskName, id)));
    const live = (await this.children(this.db, parent.id)).filter(
      (c) => names.has(c.taskName) && executions.NON_TERMINAL.includes(c.status),
    );
    if (live.length > 0 && this.options.stopChildren) await this.options.stopChildren(live.map((c) => c.id));
  }

  /** Launches one child through the normal launcher; undefined when the guard said no. */
  private async launchChild(
    parent: Row,
    task: ComposedTask,
    id: string,
    fence: LoopFence | undefined,
  ): Promise<TaskExecution | undefined> {
    const child = composedTaskApps(task).find((c) => c.id === id)!;
    const request = this.requests.get(parent.id) ?? this.openedRequest(parent);
    const name = childDefinitionName(parent.taskName, id);
    const max = this.planOptions(parent, task).maxConcurrent;
    const nested = (await definitions.findDefinition(this.db, name))?.composed === true;
    try {
      const body = {
        name,
        arguments: childArguments(request.arguments),
        properties: nested
          ? nestedChildProperties(request.properties, id)
          : childProperties(request.properties, { id, appName: child.appName }),
        platform: request.properties[PLATFORM_KEY],
      };
      const start = nested
        ? (b: LaunchBody, o: LaunchOptions) => this.launch(b, o)
        : (b: LaunchBody, o: LaunchOptions) => this.launcher.launch(b, o);
      return await start(body, {
        parentExecutionId: parent.id,
        beforeInsert: async (tx) => {
          // In the launch's own transaction: a deposed leader's child row is never inserted.
          if (fence && !(await fence.check(tx, 'composed'))) throw new SkipLaunch('no longer leading');
          await lockParent(tx, parent.id);
          const current = await executions.findExecution(tx, parent.id);
          if (current?.status !== 'RUNNING') throw new SkipLaunch('parent is no longer running');
          const rows = await this.children(tx, parent.id);
          if (rows.some((r) => r.taskName === name)) throw new SkipLaunch(`${name} already launched`);
          const live = rows.filter((r) => executions.NON_TERMINAL.includes(r.status)).length;
          if (live >= max) throw new SkipLaunch('at the concurrency bound');
        },
      });
    } catch (err) {
      if (err instanceof SkipLaunch) return undefined;
      // The child cannot launch at all (definition gone, app unregistered, bad property): the
      // composed task fails with the reason instead of waiting for a child that never comes.
      const message = `child ${name} could not be launched: ${(err as Error).message}`;
      this.logger.warn({ err, executionId: parent.id }, message);
      await this.finish(parent.id, { status: 'FAILED', exitCode: 1, exitMessage: message }, fence);
      return undefined;
    }
  }

  private async taskOf(parent: Row, fence: LoopFence | undefined): Promise<ComposedTask | undefined> {
    const def = await definitions.findDefinition(this.db, parent.taskName);
    const parsed = def?.composed ? safeParse(def.dslText) : undefined;
    if (parsed) return parsed;
    await this.finish(
      parent.id,
      {
        status: 'FAILED',
        exitCode: 1,
        exitMessage: `composed task definition ${parent.taskName} is gone or no longer valid`,
      },
      fence,
    );
    return undefined;
  }

  /** Outcomes a restart keeps from the execution it resumes (and, through it, earlier ones). */
  private async inherited(parent: Row, task: ComposedTask, depth = 0): Promise<ChildOutcomes> {
    const previousId = Number(storedRequest(parent).properties[RESTART_OF]);
    if (!Number.isInteger(previousId) || depth > 100) return {};
    const previous = await executions.findExecution(this.db, previousId);
    if (!previous) return {};
    const outcomes = childOutcomes(
      previous.taskName,
      await this.children(this.db, previous.id),
      await this.inherited(previous, task, depth + 1),
    );
    return restartOutcomes(task, outcomes);
  }

  private children(db: Db, parentId: number): Promise<Row[]> {
    return executions.listExecutions(db, { parentExecutionId: parentId }, 10_000);
  }

  private async finish(
    parentId: number,
    end: { status: 'COMPLETE' | 'FAILED' | 'STOPPED'; exitCode: number; exitMessage: string },
    fence?: LoopFence,
  ): Promise<void> {
    const endTime = new Date();
    // The end, Spring's TASK_EXECUTION end and the batch job's end commit together, fenced.
    const done = await throughFence(fence, this.db, 'composed', async (tx) => {
      const ended = await executions.updateIfStatus(tx, parentId, ['RUNNING', 'STOPPING'], {
        ...end,
        endTime,
      });
      if (!ended) return false;
      await executions.recordSpringEnd(tx, parentId, {
        endTime,
        exitCode: end.exitCode,
        exitMessage: end.exitMessage,
        errorMessage: end.status === 'FAILED' ? end.exitMessage : null,
      });
      await this.syncBatchJob(parentId, tx);
      return true;
    });
    if (!done.landed || !done.value) return;
    this.requests.delete(parentId);
    // A nested composed task has no platform event: its end moves its own parent on.
    const row = await executions.findExecution(this.db, parentId);
    if (row?.parentExecutionId) void this.advance(row.parentExecutionId, fence);
  }

  /** The run as the batch job SCDF's composed task runner showed (batch-job.ts). */
  private async syncBatchJob(parentId: number, db: Db = this.db): Promise<void> {
    const parent = await executions.findExecution(db, parentId);
    if (parent?.platformType !== 'composed') return;
    await syncComposedBatchJob(db, parent, await this.children(db, parentId), this.launcher.tablePrefixes);
  }

  private async dto(id: number): Promise<TaskExecution> {
    const row = await executions.findExecution(this.db, id);
    if (!row) throw notFound('task execution', id);
    return (await toExecutionDtos(this.db, [row]))[0]!;
  }
}
