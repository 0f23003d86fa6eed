import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningPostgres } from '@batchyard/db';

/**
 * Keeps the embedded PostgreSQL running while the server runs: when it dies (OOM kill, kill -9,
 * a crash), start it again — the same directory and port, so the connection pool reconnects by
 * itself — with a backoff between attempts. After `maxAttempts` failed attempts in a row the
 * server gives up and exits non-zero, so a supervisor (systemd, Kubernetes, a shell loop) sees a
 * dead server instead of a live one whose every request fails.
 */

export type EmbeddedDatabaseState =
  | { status: 'up'; restarts: number }
  | { status: 'restarting'; reason: string; attempt: number; maxAttempts: number; restarts: number }
  | { status: 'failed'; reason: string; restarts: number };

export interface SupervisorOptions {
  maxAttempts: number;
  /** Wait before attempt n (1-based). Default 250 ms doubling, at most 5 s. */
  backoffMs?: (attempt: number) => number;
  wait?: (ms: number) => Promise<unknown>;
  log: {
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
    info(obj: object, msg: string): void;
  };
  /** Called once when every attempt failed; the server exits non-zero from here. */
  onGiveUp(reason: string): void;
}

const defaultBackoff = (attempt: number): number => Math.min(5000, 250 * 2 ** (attempt - 1));

export class EmbeddedSupervisor {
  private current: EmbeddedDatabaseState = { status: 'up', restarts: 0 };
  private recovering: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Pick<RunningPostgres, 'onUnexpectedExit' | 'restart'>,
    private readonly options: SupervisorOptions,
  ) {
    db.onUnexpectedExit((reason) => {
      if (this.stopped || this.recovering) return;
      this.recovering = this.recover(reason).finally(() => {
        this.recovering = undefined;
      });
    });
  }

  state(): EmbeddedDatabaseState {
    return this.current;
  }

  /** Resolves when no restart is in progress (tests; shutdown). */
  async settled(): Promise<void> {
    await this.recovering;
  }

  /** Shutdown: an exit after this is expected, not a crash. */
  stop(): void {
    this.stopped = true;
  }

  private async recover(reason: string): Promise<void> {
    const { maxAttempts, log } = this.options;
    const wait = this.options.wait ?? sleep;
    const backoff = this.options.backoffMs ?? defaultBackoff;
    const restarts = this.current.restarts;
    log.error({ reason }, 'embedded PostgreSQL died; restarting it');
    let lastError = reason;
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      this.current = { status: 'restarting', reason, attempt, maxAttempts, restarts };
      await wait(backoff(attempt));
      if (this.stopped) return;
      try {
        await this.db.restart();
        this.current = { status: 'up', restarts: restarts + 1 };
        log.info({ attempt }, 'embedded PostgreSQL restarted');
        return;
      } catch (err) {
        lastError = (err as Error).message;
        log.warn({ attempt, maxAttempts, err: lastError }, 'embedded PostgreSQL did not restart');
      }
    }
    if (this.stopped) return;
    const why = `the embedded PostgreSQL died (${reason}) and did not restart after ${maxAttempts} attempts: ${lastError}`;
    this.current = { status: 'failed', reason: why, restarts };
    log.error({ reason: why }, 'giving up on the embedded PostgreSQL');
    this.options.onGiveUp(why);
  }
}
