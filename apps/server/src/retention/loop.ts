import type { Logger } from 'pino';
import type { SingletonLoop } from '../leader/elector.js';
import type { Fence, RetentionService, RunSummary } from './service.js';

/**
 * The leader's retention loop: a run when it starts leading, then one every `everyMs`. Stopping
 * (losing the lease, shutting down) ends the current run after its batch in flight, and every
 * batch's delete is fenced, so a deposed leader's late batch cannot land.
 */
export class RetentionLoop implements SingletonLoop {
  readonly name = 'retention';
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<RunSummary | undefined> = Promise.resolve(undefined);
  private stopping = true;

  constructor(
    private readonly service: RetentionService,
    private readonly fence: Fence,
    private readonly everyMs: number,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get leading(): boolean {
    return !this.stopping;
  }

  async start(): Promise<void> {
    this.stopping = false;
    if (this.everyMs <= 0) return;
    // Not awaited: a long first run must not hold up the other loops' start.
    const scheduled = () => {
      this.runNow().catch((err: unknown) => this.logger.error({ err }, 'retention run failed'));
    };
    scheduled();
    this.timer = setInterval(scheduled, this.everyMs);
    this.timer.unref();
  }

  /** One run, after the one in flight (runs never overlap); undefined when not leading. */
  runNow(): Promise<RunSummary | undefined> {
    const run = this.current.then(() =>
      this.stopping ? undefined : this.service.run(this.now(), this.fence, () => this.stopping),
    );
    this.current = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current;
  }
}
