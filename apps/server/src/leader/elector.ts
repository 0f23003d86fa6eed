import type { Logger } from 'pino';
import type { LeaseBackend } from './backends.js';
import type { ElectionTiming } from './decide.js';

/** A loop that must run on one replica at a time: queue dispatch, reconcile, schedules, composed. */
export interface SingletonLoop {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LeadershipState {
  replicaId: string;
  leading: boolean;
  backend: 'kubernetes' | 'postgres';
  /** Fencing epoch of the current term (the lease's transitions), -1 when not leading. */
  epoch: number;
}

/**
 * Runs the singleton loops on the leader only (client-go's algorithm): every retry period it tries
 * to take or renew the lease; a leader that has not renewed within the renew deadline — or learns
 * that someone else holds the lease — stops its loops at once. Since renew deadline + retry period
 * is shorter than the lease duration, it has stopped before anyone else may start them.
 */
export class Leadership {
  private readonly loops: SingletonLoop[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastRenew = 0;
  private round: Promise<void> = Promise.resolve();
  private readonly listeners: ((leading: boolean) => void)[] = [];
  readonly state: LeadershipState;

  constructor(
    private readonly backend: LeaseBackend,
    replicaId: string,
    private readonly timing: ElectionTiming,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.state = { replicaId, leading: false, backend: backend.kind, epoch: -1 };
  }

  add(loop: SingletonLoop): void {
    this.loops.push(loop);
  }

  onChange(listener: (leading: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** True while this replica still holds the lease at its current epoch (checked in the database for PostgreSQL). */
  async fenced(db?: unknown): Promise<boolean> {
    return this.state.leading && this.backend.stillLeading(db, this.state.replicaId, this.state.epoch);
  }

  /** Starts electing; resolves after the first round (a lone replica leads once this returns). */
  start(): Promise<void> {
    this.running = true;
    const tick = () => {
      this.round = this.round
        .then(() => this.step())
        .finally(() => {
          if (this.running) {
            this.timer = setTimeout(tick, this.timing.retryPeriodMs);
            this.timer.unref();
          }
        });
      return this.round;
    };
    return tick();
  }

  /** Stops the loops and gives the lease up, so a successor takes over without waiting. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    if (this.state.leading) {
      await this.stepDown('shutting down');
      await this.backend
        .release(this.state.replicaId)
        .catch((err: unknown) => this.logger.warn({ err }, 'lease release failed'));
    }
  }

  private async step(): Promise<void> {
    if (!this.running) return;
    let result: Awaited<ReturnType<LeaseBackend['tryAcquireOrRenew']>> | undefined;
    try {
      result = await this.backend.tryAcquireOrRenew(this.state.replicaId);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'leader lease: renew failed');
    }
    const now = this.now();
    if (result?.leading) {
      this.lastRenew = now;
      if (!this.state.leading || this.state.epoch !== result.epoch) {
        if (this.state.leading) await this.stepDown('a new term began');
        this.state.leading = true;
        this.state.epoch = result.epoch;
        this.logger.info(
          { replica: this.state.replicaId, epoch: result.epoch, backend: this.backend.kind },
          'leading',
        );
        this.notify();
        for (const loop of this.loops) {
          await loop
            .start()
            .catch((err: unknown) => this.logger.error({ err, loop: loop.name }, 'loop failed to start'));
        }
      }
      return;
    }
    if (!this.state.leading) return;
    if (result && !result.leading)
      await this.stepDown(`the lease is held by ${result.holder ?? 'another replica'}`);
    else if (now - this.lastRenew >= this.timing.renewDeadlineMs)
      await this.stepDown('renew deadline passed');
  }

  private async stepDown(why: string): Promise<void> {
    this.state.leading = false;
    this.state.epoch = -1;
    // Handing the lease back on shutdown is the normal end; losing it while running is worth a warning.
    const level = why === 'shutting down' ? 'info' : 'warn';
    this.logger[level]({ replica: this.state.replicaId, why }, 'stopped leading');
    this.notify();
    for (const loop of [...this.loops].reverse()) {
      await loop
        .stop()
        .catch((err: unknown) => this.logger.error({ err, loop: loop.name }, 'loop failed to stop'));
    }
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.state.leading);
  }
}
