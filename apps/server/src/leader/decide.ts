/**
 * client-go's leader-election rule, pure. A candidate may take the lease when nobody holds it, when
 * it holds it already (renew), or when the holder has not renewed for a whole lease duration, as
 * measured on the candidate's own clock since it last saw the record change (so clock skew between
 * replicas does not matter: only the rate of each clock does).
 */

export interface LeaseRecord {
  holder: string | undefined;
  leaseDurationMs: number;
  /** Bumped every time the holder changes: the fencing epoch. */
  transitions: number;
  /** Opaque version of the record (resourceVersion), to detect that it changed. */
  version: string;
}

export interface Observation {
  record: LeaseRecord;
  /** When this candidate last saw `record` change, on its own clock. */
  observedAt: number;
}

export type Decision = 'renew' | 'acquire' | 'held-by-other';

export function decide(observed: Observation | undefined, me: string, now: number): Decision {
  if (!observed?.record.holder) return 'acquire';
  if (observed.record.holder === me) return 'renew';
  return observed.observedAt + observed.record.leaseDurationMs <= now ? 'acquire' : 'held-by-other';
}

/** Keeps the last observation, refreshing `observedAt` only when the record really changed. */
export function observe(previous: Observation | undefined, record: LeaseRecord, now: number): Observation {
  if (previous && previous.record.version === record.version) return previous;
  return { record, observedAt: now };
}

export interface ElectionTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** A leader must give up (renew deadline + one retry) before anyone else may take over (duration). */
export function timingProblem(t: ElectionTiming): string | undefined {
  if (t.renewDeadlineMs + t.retryPeriodMs >= t.leaseDurationMs) {
    return 'renewDeadline + retryPeriod must be shorter than leaseDuration, so a deposed leader stops before another starts';
  }
  if (t.retryPeriodMs <= 0) return 'retryPeriod must be positive';
  return undefined;
}
