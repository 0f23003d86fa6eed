import type { ErrorMatcher } from '../model/api.js';
import { NonSkippableError, SkipLimitExceededError } from '../model/errors.js';
import type { StepCounters } from '../model/execution.js';
import { skipCount } from '../model/execution.js';
import type { FaultToleranceOptions } from '../model/step.js';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spring Batch's default skip limit when skippable classes are given without a limit. */
const DEFAULT_SKIP_LIMIT = 10;

function matchesOne(error: unknown, matchers: readonly ErrorMatcher[]): boolean {
  for (const m of matchers) {
    // A class has a prototype that errors inherit from; a predicate is an arrow or plain function.
    if (m.prototype instanceof Error || m === Error) {
      if (error instanceof (m as abstract new () => Error)) return true;
    } else if ((m as (e: unknown) => boolean)(error)) {
      return true;
    }
  }
  return false;
}

/** How deep a `cause` chain is followed; a guard against cycles and pathological nesting. */
const MAX_CAUSE_DEPTH = 32;

/**
 * Does the error, or any error in its `cause` chain, match one of the matchers? This is how
 * Spring Batch 6 classifies: its retry policy (Spring Framework 7 `ExceptionTypeFilter` with
 * traverseCauses) and its skip policy (`LimitCheckingExceptionHierarchySkipPolicy`, since the 6.0.x
 * fix of spring-batch#5127) both walk `getCause()`, so a driver error wrapped by a library is still
 * recognised.
 */
export function matchesChain(error: unknown, matchers: readonly ErrorMatcher[] | undefined): boolean {
  if (!matchers?.length) return false;
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current !== undefined && !seen.has(current); depth++) {
    if (matchesOne(current, matchers)) return true;
    seen.add(current);
    current =
      typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
  }
  return false;
}

/**
 * Skip and retry decisions for one step. Stateless: the skip count is read from the step's
 * counters, so a restarted step starts counting from zero, as in Spring Batch.
 */
export class FaultPolicy {
  readonly skipLimit: number;
  readonly retryLimit: number;

  constructor(
    private readonly options: FaultToleranceOptions | undefined,
    private readonly sleep: Sleep = realSleep,
  ) {
    this.skipLimit = options?.skipLimit ?? (options?.skip?.length ? DEFAULT_SKIP_LIMIT : 0);
    this.retryLimit = options?.retryLimit ?? 0;
  }

  get enabled(): boolean {
    return this.options !== undefined;
  }

  /** Is this kind of error skippable at all (class check only, ignoring the limit)? */
  isSkippable(error: unknown): boolean {
    if (!this.options) return false;
    return matchesChain(error, this.options.skip) && !matchesChain(error, this.options.noSkip);
  }

  /**
   * Decides a skip for an item that failed in `phase`: returns normally when it may be skipped,
   * throws the error that fails the step otherwise.
   */
  checkSkip(phase: 'read' | 'process' | 'write', error: unknown, counters: StepCounters): void {
    if (!this.isSkippable(error)) throw new NonSkippableError(phase, error);
    if (skipCount(counters) >= this.skipLimit) throw new SkipLimitExceededError(this.skipLimit, error);
  }

  /**
   * Retryable: matches `retry` (anywhere in the cause chain) and nothing in the chain matches
   * `noRetry`. With `retryLimit` but no `retry` list every error is retryable, as Spring Batch 6's
   * `ChunkOrientedStepBuilder` does (it defaults the retryable classes to `Exception`; JavaScript has
   * no Exception/Error split, so "every error" is the equivalent).
   */
  isRetryable(error: unknown): boolean {
    const o = this.options;
    if (!o || this.retryLimit <= 0) return false;
    if (matchesChain(error, o.noRetry)) return false;
    return o.retry?.length ? matchesChain(error, o.retry) : true;
  }

  /**
   * Runs `op`, retrying retryable errors up to `retryLimit` extra attempts with exponential
   * backoff. The last error is rethrown when retries are exhausted.
   */
  async retry<T>(op: () => Promise<T> | T): Promise<T> {
    let delay = this.options?.backoff?.initialMs ?? 0;
    const multiplier = this.options?.backoff?.multiplier ?? 2;
    const max = this.options?.backoff?.maxMs ?? Number.POSITIVE_INFINITY;
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (error) {
        if (attempt >= this.retryLimit || !this.isRetryable(error)) throw error;
        if (delay > 0) await this.sleep(Math.min(delay, max));
        delay *= multiplier;
      }
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
