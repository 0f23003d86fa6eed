import { latestFireTime } from './cron.js';

// The in-process scheduler's one decision, pure so a table can test it: which fire time (if any)
// is due now. The rule is the CronJob controller's with a starting deadline:
//
//   only the most recent fire time after `since` is considered; it fires once if it is no more
//   than `startingDeadlineSeconds` old, otherwise it is skipped. Older missed fire times never
//   fire, so a server that was down for a day starts one run (or none), never a storm.
//
// `since` is the later of the last fire and the schedule's last edit: fire times before an edit,
// a resume or the creation are not caught up.

/** Without a configured deadline a missed fire still runs if it is at most this old. */
export const DEFAULT_STARTING_DEADLINE_SECONDS = 300;

export interface CatchUpInput {
  cron: string;
  timeZone: string | null;
  /** Fire times at or before this were fired or are not owed. */
  since: Date;
  now: Date;
  startingDeadlineSeconds: number | null;
}

export type CatchUpDecision =
  | { fire: false; missed?: Date }
  | {
      fire: true;
      fireTime: Date;
    };

export function dueFire(input: CatchUpInput): CatchUpDecision {
  const latest = latestFireTime(input.cron, input.timeZone, input.now);
  if (!latest || latest.getTime() <= input.since.getTime()) return { fire: false };
  const deadlineMs = (input.startingDeadlineSeconds ?? DEFAULT_STARTING_DEADLINE_SECONDS) * 1000;
  if (input.now.getTime() - latest.getTime() > deadlineMs) return { fire: false, missed: latest };
  return { fire: true, fireTime: latest };
}

/** Where a schedule's count of owed fires starts: its last fire or its last edit, whichever is later. */
export function fireBaseline(schedule: { lastFireTime: Date | null; updatedAt: Date }): Date {
  const last = schedule.lastFireTime?.getTime() ?? 0;
  return new Date(Math.max(last, schedule.updatedAt.getTime()));
}
