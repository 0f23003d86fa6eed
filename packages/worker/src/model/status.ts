/**
 * BatchStatus and ExitStatus with Spring Batch's ordering rules.
 *
 * BatchStatus is what the runtime believes happened; ExitStatus is what the job tells the outside
 * world (flows branch on its code). They are kept apart because a step may COMPLETE with a custom
 * exit code such as `COMPLETED WITH SKIPS` and a flow may route on it.
 */

/** Ordered from best to worst: `max` of two statuses is the worse one. */
export const BATCH_STATUSES = [
  'COMPLETED',
  'STARTING',
  'STARTED',
  'STOPPING',
  'STOPPED',
  'FAILED',
  'ABANDONED',
  'UNKNOWN',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

const rank = (s: BatchStatus): number => BATCH_STATUSES.indexOf(s);

export function isRunning(s: BatchStatus): boolean {
  return s === 'STARTING' || s === 'STARTED' || s === 'STOPPING';
}

/** FAILED, ABANDONED and UNKNOWN: the execution did not end well. */
export function isUnsuccessful(s: BatchStatus): boolean {
  return rank(s) >= rank('FAILED');
}

export function maxStatus(a: BatchStatus, b: BatchStatus): BatchStatus {
  return rank(a) >= rank(b) ? a : b;
}

/**
 * Spring Batch's `BatchStatus.upgradeTo`: once past STARTED the worse status wins; before that a
 * COMPLETED wins (so a STARTING step that completes becomes COMPLETED, not STARTING).
 *
 * @example upgradeStatus('STARTED', 'FAILED') // 'FAILED'
 * @example upgradeStatus('STARTING', 'COMPLETED') // 'COMPLETED'
 */
export function upgradeStatus(current: BatchStatus, next: BatchStatus): BatchStatus {
  if (rank(current) > rank('STARTED') || rank(next) > rank('STARTED')) return maxStatus(current, next);
  if (current === 'COMPLETED' || next === 'COMPLETED') return 'COMPLETED';
  return maxStatus(current, next);
}

const SEVERITY: Record<string, number> = {
  EXECUTING: 1,
  COMPLETED: 2,
  NOOP: 3,
  STOPPED: 4,
  FAILED: 5,
  UNKNOWN: 6,
};

/** An exit code plus a free-text description. Immutable. */
export class ExitStatus {
  static readonly EXECUTING = new ExitStatus('EXECUTING');
  static readonly COMPLETED = new ExitStatus('COMPLETED');
  static readonly NOOP = new ExitStatus('NOOP');
  static readonly STOPPED = new ExitStatus('STOPPED');
  static readonly FAILED = new ExitStatus('FAILED');
  static readonly UNKNOWN = new ExitStatus('UNKNOWN');

  constructor(
    readonly code: string,
    readonly description = '',
  ) {}

  /** Severity as Spring Batch ranks it; custom codes are the most severe (7). */
  get severity(): number {
    for (const [prefix, s] of Object.entries(SEVERITY)) if (this.code.startsWith(prefix)) return s;
    return 7;
  }

  /**
   * Combines two statuses: the more severe code wins (ties broken by code text), descriptions are
   * joined. Used when a step listener returns an exit status and when steps of a job combine.
   *
   * @example ExitStatus.COMPLETED.and(ExitStatus.FAILED).code // 'FAILED'
   */
  and(other: ExitStatus): ExitStatus {
    const cmp = this.severity - other.severity || this.code.localeCompare(other.code);
    const winner = cmp < 0 ? other : this;
    const loser = winner === this ? other : this;
    return winner.addDescription(loser.description);
  }

  addDescription(description: string): ExitStatus {
    if (!description || this.description.includes(description)) return this;
    return new ExitStatus(this.code, this.description ? `${this.description}; ${description}` : description);
  }

  replaceCode(code: string): ExitStatus {
    return new ExitStatus(code, this.description);
  }

  /** A FAILED status whose description carries the error message and its cause chain. */
  static failed(error: unknown): ExitStatus {
    return ExitStatus.FAILED.addDescription(describeError(error));
  }

  toString(): string {
    return this.description ? `${this.code}: ${this.description}` : this.code;
  }
}

/** `Name: message` followed by the causes, short enough to store in an exit message. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e !== undefined && depth < 5; depth++) {
    if (e instanceof Error) {
      parts.push(`${e.name}: ${e.message}`);
      e = e.cause;
    } else {
      parts.push(String(e));
      e = undefined;
    }
  }
  return parts.join(' <- caused by ').slice(0, 2500);
}
