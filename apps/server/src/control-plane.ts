import type { TaskStatus } from '@batchyard/core';
import type { PrismaClient } from '@batchyard/db';
import type { Logger } from 'pino';
import { type Config, tablePrefixes } from './config.js';
import type { LoopFence } from './leader/fence.js';
import { createPlatforms } from './platform/factory.js';
import type { PlatformRegistry } from './platform/registry.js';
import { LaunchSecrets } from './secrets/launch-secrets.js';
import type { SecretSealer } from './secrets/sealer.js';
import { TaskExecutionService } from './services/executions.js';
import { Launcher, type LaunchOutcome, type LaunchSource } from './services/launcher.js';
import { Reconciler } from './services/reconciler.js';

export type TerminalListener = (executionId: number, status: TaskStatus) => void | Promise<void>;
export type LaunchListener = (outcome: LaunchOutcome, source: LaunchSource) => void;

export interface ControlPlaneDeps {
  config: Readonly<Config>;
  prisma: PrismaClient;
  databaseUrl: string;
  logger: Logger;
  /** Opens sealed DSL property values at launch. */
  sealer?: SecretSealer;
}

/**
 * The launch/reconcile machinery: platforms, launcher, reconciler and the queue dispatcher,
 * started once the HTTP server is ready and stopped before the database closes.
 */
export class ControlPlane {
  private readonly terminalListeners: TerminalListener[] = [];
  private readonly launchListeners: LaunchListener[] = [];
  private dispatchTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private dispatching: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly platforms: PlatformRegistry,
    readonly launcher: Launcher,
    readonly reconciler: Reconciler,
    readonly executions: TaskExecutionService,
    private readonly logger: Logger,
    private readonly resyncMs: number,
  ) {}

  static async create(deps: ControlPlaneDeps): Promise<ControlPlane> {
    const platforms = await createPlatforms(deps);
    let plane: ControlPlane | undefined;
    const launcher = new Launcher(deps.prisma, platforms, deps.logger, {
      terminal: (id, status) => plane?.terminal(id, status),
      launch: (outcome, source) => plane?.launched(outcome, source),
    });
    if (deps.sealer) launcher.secrets = new LaunchSecrets(deps.sealer);
    launcher.tablePrefixes = tablePrefixes(deps.config);
    const reconciler = new Reconciler(deps.prisma, platforms, deps.logger, {
      logTailBytes: deps.config.executions.logTailBytes,
      onTerminal: (id, status) => plane?.terminal(id, status),
      // A CronJob's run counts as its schedule's launch; a Job made with kubectl as adopted.
      onAdopted: (scheduled) => plane?.launched('launched', scheduled ? 'schedule' : 'adopted'),
    });
    const service = new TaskExecutionService(deps.prisma, platforms, launcher, deps.logger);
    plane = new ControlPlane(
      platforms,
      launcher,
      reconciler,
      service,
      deps.logger,
      deps.config.executions.resyncSeconds * 1000,
    );
    return plane;
  }

  /**
   * Subscribes to executions reaching a terminal state (composed-task orchestration, metrics).
   * Listeners run after the row is committed; they must not throw (errors are logged).
   */
  onTerminal(listener: TerminalListener): void {
    this.terminalListeners.push(listener);
  }

  /** Subscribes to every launch the control plane counts (metrics). Must not throw. */
  onLaunch(listener: LaunchListener): void {
    this.launchListeners.push(listener);
  }

  private launched(outcome: LaunchOutcome, source: LaunchSource): void {
    for (const listener of this.launchListeners) listener(outcome, source);
  }

  private terminal(executionId: number, status: TaskStatus): void {
    this.dispatchSoon();
    for (const listener of this.terminalListeners) {
      Promise.resolve()
        .then(() => listener(executionId, status))
        .catch((err: unknown) => this.logger.error({ err, executionId }, 'terminal listener failed'));
    }
  }

  /** The fence of the loops' writes (leader/fence.ts): set when this replica first leads. */
  private fence: LoopFence | undefined;

  /** On every replica: watches start (their events are ignored until this replica leads). */
  async start(): Promise<void> {
    this.reconciler.paused = true;
    await this.reconciler.watchAll();
  }

  /**
   * The singleton loops (leader only): a full reconcile, then queue dispatch and periodic resync.
   * Their writes go through `fence`, which refuses them once another replica began a newer term.
   */
  loops(fence?: LoopFence) {
    return {
      name: 'reconcile and dispatch',
      start: async () => {
        this.fence = fence;
        this.reconciler.fence = fence;
        this.reconciler.paused = false;
        await this.startLoops();
      },
      stop: async () => {
        this.reconciler.paused = true;
        await this.stopLoops();
      },
    };
  }

  private async startLoops(): Promise<void> {
    // An interrupted launch is launched again only while this term is current (the platform call
    // itself cannot join a transaction; the launch is idempotent should a stale one slip through).
    await this.reconciler.reconcileAll(async (platform, row) => {
      const current = this.fence ? (await this.fence.run('reconcile', async () => true)).landed : true;
      if (current) await this.launcher.resume(platform, row);
    });
    this.dispatchSoon();
    this.dispatchTimer = setInterval(() => this.dispatchSoon(), 2000);
    this.dispatchTimer.unref();
    this.resyncTimer = setInterval(() => {
      this.reconciler.reconcileAll().catch((err: unknown) => this.logger.error({ err }, 'resync failed'));
    }, this.resyncMs);
    this.resyncTimer.unref();
  }

  /**
   * Serialised: one dispatch at a time in this process (rows are claimed safely across processes),
   * and coalesced: requests made while one waits to run are that one (a burst of 200 executions
   * ending is a few dispatches, each reading the queue as it is then, not 200 in a row).
   */
  dispatchSoon(): void {
    if (this.reconciler.paused) return; // only the leader dispatches the queue
    if (this.dispatchWaiting) return;
    this.dispatchWaiting = true;
    this.dispatching = this.dispatching
      .then(() => {
        this.dispatchWaiting = false;
        const fence = this.fence;
        return this.launcher.dispatch(fence && ((tx) => fence.check(tx, 'dispatch')));
      })
      .catch((err: unknown) => this.logger.error({ err }, 'queue dispatch failed'));
  }
  private dispatchWaiting = false;

  private async stopLoops(): Promise<void> {
    if (this.dispatchTimer) clearInterval(this.dispatchTimer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.dispatchTimer = undefined;
    this.resyncTimer = undefined;
    await this.dispatching;
  }

  async stop(): Promise<void> {
    this.reconciler.paused = true;
    await this.stopLoops();
    await this.platforms.closeAll();
  }
}
