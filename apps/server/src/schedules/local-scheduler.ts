import { type PrismaClient, schedules } from '@batchyard/db';
import type { Logger } from 'pino';
import { type LoopFence, throughFence } from '../leader/fence.js';
import type { PlatformRegistry } from '../platform/registry.js';
import type { Launcher } from '../services/launcher.js';
import { dueFire, fireBaseline } from './catch-up.js';

export interface LocalSchedulerOptions {
  db: PrismaClient;
  platforms: PlatformRegistry;
  launcher: Launcher;
  /** Stops executions (concurrencyPolicy Replace). */
  stop: (ids: number[]) => Promise<unknown>;
  logger: Logger;
  /** The clock: injected so tests move time instead of waiting for it. */
  now: () => Date;
  /** How often due schedules are checked; 0 = only when tick() is called. */
  intervalMs: number;
}

export interface FireOutcome {
  schedule: string;
  fireTime: Date;
  /** The launched execution; null when the fire was claimed but nothing launched (Forbid, error). */
  executionId: number | null;
}

/**
 * Fires the schedules of platforms without their own scheduler (local) in-process. Each fire
 * time launches at most once across restarts and any number of servers: the insert into
 * schedule_fire (primary key schedule_id, fire_time) is the guard, not a lock or a leader.
 * A server that dies between claiming a fire and launching loses that one fire (at most once).
 * As the leader's loop, the claim is fenced too: a deposed leader claims nothing.
 */
export class LocalScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  /** Set while this scheduler runs as the leader's loop (leader/fence.ts). */
  fence: LoopFence | undefined;

  constructor(private readonly options: LocalSchedulerOptions) {}

  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    this.tickSoon();
    this.timer = setInterval(() => this.tickSoon(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Serialised in this process (a slow launch never overlaps the next check). */
  private tickSoon(): void {
    this.running = this.running
      .then(() => this.tick())
      .catch((err: unknown) => this.options.logger.error({ err }, 'schedule check failed'));
  }

  /** Fires every schedule due at `now` (default: the injected clock). */
  async tick(now: Date = this.options.now()): Promise<FireOutcome[]> {
    const { db, platforms, logger } = this.options;
    const local = platforms.platforms.filter((p) => !p.schedule).map((p) => p.name);
    if (local.length === 0) return [];
    const fired: FireOutcome[] = [];
    for (const row of await schedules.activeSchedulesOn(db, local)) {
      let decision: ReturnType<typeof dueFire>;
      try {
        decision = dueFire({
          cron: row.cron,
          timeZone: row.timeZone,
          since: fireBaseline(row),
          now,
          startingDeadlineSeconds: row.startingDeadlineSeconds,
        });
      } catch (err) {
        logger.error({ err, schedule: row.name }, 'schedule has an unreadable cron expression');
        continue;
      }
      if (!decision.fire) continue;
      const { fireTime } = decision;
      const claim = await throughFence(this.fence, db, 'schedules', (tx) =>
        schedules.claimFire(tx, row.id, fireTime),
      );
      if (!claim.landed) break; // no longer leading: a newer leader fires it
      if (!claim.value) continue; // fired elsewhere
      const executionId = await this.fire(row, decision.fireTime);
      await schedules.recordFire(db, row.id, decision.fireTime, executionId);
      fired.push({ schedule: row.name, fireTime: decision.fireTime, executionId });
    }
    return fired;
  }

  /** Launches one claimed fire as a manual launch would, honouring the concurrency policy. */
  private async fire(row: schedules.Schedule, fireTime: Date): Promise<number | null> {
    const { db, launcher, logger } = this.options;
    const log = logger.child({ schedule: row.name, fireTime });
    try {
      if (row.concurrencyPolicy !== 'Allow') {
        const active = await schedules.activeExecutionsOfSchedule(db, row.name);
        if (active.length > 0 && row.concurrencyPolicy === 'Forbid') {
          log.info(
            { active: active.map((e) => e.id) },
            'fire skipped: the previous run is still active (Forbid)',
          );
          return null;
        }
        if (active.length > 0) await this.options.stop(active.map((e) => e.id));
      }
      const given = launcher.secrets.openStored(`schedule '${row.name}'`, row);
      const execution = await launcher.launch(
        {
          name: row.taskDefinitionName,
          arguments: given.arguments,
          properties: given.properties,
          platform: row.platformName ?? undefined,
        },
        { scheduleName: row.name },
      );
      log.info({ executionId: execution.id }, 'schedule fired');
      return execution.id;
    } catch (err) {
      log.error({ err }, 'schedule fire could not launch');
      return null;
    }
  }
}
