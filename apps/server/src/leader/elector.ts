import type { Logger } from 'pino';
import type { LeaseBackend } from './backends.js';
import type { ElectionTiming } from './decide.js';
import type { Fence } from './fence.js';

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
  /** The lease's term (its transitions) while leading, -1 when not leading. */
  epoch: number;
}

/**
 * Runs the singleton loops on the leader only (client-go's algorithm): every retry period it tries
 * to take or renew the lease; a leader that has not renewed within the renew deadline — or learns
 * that someone else holds the lease — stops its loops at once. Since renew deadline + retry period
 * is shorter than the lease duration, it has stopped before anyone else may start them. Each term
 * begins by bumping the fence (fence.ts), so should a deposed leader not have noticed in time —
 * a partition, a stalled process — its loops' writes are refused anyway.
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
    /** The fencing token of each term; omitted only where loops write nothing (lease tests). */
    readonly fence?: Fence,
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
      // Bounded, as client-go bounds each try by the renew deadline: behind a dead link a call may
      // never return, and a leader waiting on it would never step down.
      const left = this.state.leading
        ? this.lastRenew + this.timing.renewDeadlineMs - this.now()
        : this.timing.renewDeadlineMs;
      result = await within(
        this.backend.tryAcquireOrRenew(this.state.replicaId),
        Math.max(left, this.timing.retryPeriodMs),
        'the lease call timed out',
      );
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'leader lease: renew failed');
    }
    const now = this.now();
    if (result?.leading) {
      this.lastRenew = now;
      const sameTerm = this.state.leading && this.state.epoch === result.epoch;
      if (sameTerm && (await this.fenceStillOurs())) return;
      if (this.state.leading)
        await this.stepDown(sameTerm ? 'fenced out by a newer term' : 'a new term began');
      // The fence goes up before any loop starts: from here on, the previous leader's writes fail.
      if (this.fence) {
        try {
          await within(this.fence.begin(this.state.replicaId), this.timing.renewDeadlineMs, 'timed out');
        } catch (err) {
          this.fence.end();
          this.logger.warn({ err: (err as Error).message }, 'leader fence: could not begin a term');
          return;
        }
      }
      this.state.leading = true;
      this.state.epoch = result.epoch;
      this.logger.info(
        {
          replica: this.state.replicaId,
          epoch: result.epoch,
          fence: this.fence?.current,
          backend: this.backend.kind,
        },
        'leading',
      );
      this.notify();
      for (const loop of this.loops) {
        await loop
          .start()
          .catch((err: unknown) => this.logger.error({ err, loop: loop.name }, 'loop failed to start'));
      }
      return;
    }
    if (!this.state.leading) return;
    if (result && !result.leading)
      await this.stepDown(`the lease is held by ${result.holder ?? 'another replica'}`);
    else if (now - this.lastRenew >= this.timing.renewDeadlineMs)
      await this.stepDown('renew deadline passed');
  }

  /**
   * Another replica began a newer term while this one still holds the lease (its term began late,
   * or a second election shares the lease name): this one steps down and begins again, so the
   * holder of the lease is the one whose writes land. A database error keeps the term.
   */
  private async fenceStillOurs(): Promise<boolean> {
    if (!this.fence) return true;
    return this.fence.stillCurrent().catch((err: unknown) => {
      this.logger.warn({ err: (err as Error).message }, 'leader fence: could not be read');
      return true;
    });
  }

  private async stepDown(why: string): Promise<void> {
    this.state.leading = false;
    this.state.epoch = -1;
    this.fence?.end();
    // Handing the lease back on shutdown is the normal end; losing it while running is worth a warning.
    const level = why === 'shutting down' ? 'info' : 'warn';
    this.logger[level]({ replica: this.state.replicaId, why }, 'stopped leading');
    this.notify();
    // A loop waits for its pass in flight; cut off from the database that may never end. Its
    // writes are refused by the fence meanwhile, so the election need not wait for it.
    for (const loop of [...this.loops].reverse()) {
      await within(loop.stop(), this.timing.renewDeadlineMs, `${loop.name} did not stop in time`).catch(
        (err: unknown) => this.logger.error({ err, loop: loop.name }, 'loop failed to stop'),
      );
    }
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.state.leading);
  }
}

/** `work`, or a rejection once `ms` have passed (the work itself goes on; its result is ignored). */
function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
