/**
 * Runs work per key one at a time and folds the requests that arrive meanwhile into one more run,
 * as client-go's workqueue does for object keys. A burst of watch events for one Job (its pod's
 * Pending, Running and Succeeded updates, the Job's own) costs one reconcile in flight plus at most
 * one after it, instead of one database read each; and the run after the burst always starts
 * after the last request, so nothing the last event said is missed.
 */
export class KeyedCoalescer<T> {
  private readonly entries = new Map<string, { again: boolean; value: T; done: Promise<void> }>();

  constructor(
    private readonly work: (value: T) => Promise<void>,
    /** A run that threw: reported here, and the next requested run still happens. */
    private readonly onError: (err: unknown, value: T) => void,
    /** Merges the newer request into the pending one (e.g. keep an id only one of them carries). */
    private readonly merge: (pending: T, newer: T) => T = (_pending, newer) => newer,
    /** Runs in flight across all keys; the rest wait their turn (still coalescing meanwhile). */
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {}

  private running = 0;
  private readonly waiting: (() => void)[] = [];

  private async slot(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the next waiter, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  /** Keys with a run in flight. */
  get active(): number {
    return this.entries.size;
  }

  /** Resolves when the run that covers this request has finished. */
  request(key: string, value: T): Promise<void> {
    const entry = this.entries.get(key);
    if (entry) {
      entry.again = true;
      entry.value = this.merge(entry.value, value);
      return entry.done;
    }
    const fresh = { again: false, value, done: Promise.resolve() };
    fresh.done = this.drain(key, fresh);
    this.entries.set(key, fresh);
    return fresh.done;
  }

  private async drain(key: string, entry: { again: boolean; value: T }): Promise<void> {
    await Promise.resolve(); // registered before the first run starts
    try {
      do {
        await this.slot();
        entry.again = false;
        try {
          await this.work(entry.value);
        } catch (err) {
          this.onError(err, entry.value);
        } finally {
          this.release();
        }
      } while (entry.again);
    } finally {
      this.entries.delete(key);
    }
  }
}
