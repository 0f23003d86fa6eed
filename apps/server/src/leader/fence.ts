import { leaderFence, type Prisma, type PrismaClient } from '@batchyard/db';
import type { Logger } from 'pino';

/** The singleton loops whose writes are fenced (the label of batchyard_leader_fenced_writes_total). */
export type FencedLoop = 'dispatch' | 'reconcile' | 'schedules' | 'composed' | 'retention';

/** What a loop's write goes through: a check inside the caller's transaction, or a fenced transaction. */
export interface LoopFence {
  /** True while this replica's term is current; locks the fence row for share until `tx` ends. */
  check(tx: Prisma.TransactionClient, loop: FencedLoop): Promise<boolean>;
  /** Runs `work` in a transaction that lands only while this replica's term is current. */
  run<T>(loop: FencedLoop, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<Fenced<T>>;
}

export type Fenced<T> = { landed: true; value: T } | { landed: false };

/**
 * The fencing token of this replica's term as leader, kept in PostgreSQL whichever backend holds
 * the lease (a Kubernetes Lease cannot take part in a database transaction). Each new term bumps
 * `leader_fence.epoch`; each loop write checks, in its own transaction, that the epoch is still the
 * one this replica began with. A leader that lost its lease without noticing yet — a partition, a
 * long GC pause — is refused as soon as its successor has begun: its late write does not land.
 */
export class Fence implements LoopFence {
  private epoch: number | undefined;
  private generation = 0;
  private readonly warned = new Set<FencedLoop>();
  private readonly listeners: ((loop: FencedLoop) => void)[] = [];

  /**
   * `timeoutMs` (the renew deadline) bounds both waits: how long a fenced transaction may sit idle
   * before PostgreSQL ends it, and how long beginning a term waits for such transactions.
   */
  constructor(
    private readonly prisma: PrismaClient,
    readonly name: string,
    private readonly logger: Logger,
    private readonly timeoutMs = 10_000,
  ) {}

  /** The epoch of the current term; undefined while this replica does not lead. */
  get current(): number | undefined {
    return this.epoch;
  }

  /** Called for every refused write (metrics). Must not throw. */
  onRefused(listener: (loop: FencedLoop) => void): void {
    this.listeners.push(listener);
  }

  /** A new term: the epoch goes up, which refuses every write of the terms before it. */
  async begin(holder: string): Promise<number> {
    const generation = ++this.generation;
    const epoch = await leaderFence.beginTerm(this.prisma, this.name, holder, this.timeoutMs);
    // Given up on meanwhile (end() was called): the bump landed late and is not this replica's term.
    if (generation === this.generation) {
      this.epoch = epoch;
      this.warned.clear();
    }
    return epoch;
  }

  /** The term ended here (or beginning it was given up): loop writes still in flight are refused. */
  end(): void {
    this.generation++;
    this.epoch = undefined;
  }

  /** Whether the term this replica began is still the current one (nobody began a newer one). */
  async stillCurrent(): Promise<boolean> {
    if (this.epoch === undefined) return false;
    return (await leaderFence.current(this.prisma, this.name))?.epoch === this.epoch;
  }

  async check(tx: Prisma.TransactionClient, loop: FencedLoop): Promise<boolean> {
    const epoch = this.epoch;
    const ok = epoch !== undefined && (await leaderFence.holds(tx, this.name, epoch, this.timeoutMs));
    if (!ok) this.refused(loop, epoch);
    return ok;
  }

  async run<T>(loop: FencedLoop, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<Fenced<T>> {
    return this.prisma.$transaction(async (tx): Promise<Fenced<T>> => {
      if (!(await this.check(tx, loop))) return { landed: false };
      return { landed: true, value: await work(tx) };
    });
  }

  private refused(loop: FencedLoop, epoch: number | undefined): void {
    for (const listener of this.listeners) listener(loop);
    // Once per loop and term: a deposed leader's loops may try many writes before they stop.
    if (this.warned.has(loop)) return;
    this.warned.add(loop);
    this.logger.warn(
      { loop, epoch: epoch ?? null, fence: this.name },
      'write refused: this replica no longer leads (a newer term began)',
    );
  }
}

/**
 * `work` in one transaction, through `fence` when there is one; without (a lone reconciler in a
 * test) in a plain transaction on `db`, so a write of several statements commits together either way.
 */
export async function throughFence<T>(
  fence: LoopFence | undefined,
  db: PrismaClient,
  loop: FencedLoop,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<Fenced<T>> {
  if (fence) return fence.run(loop, work);
  return { landed: true, value: await db.$transaction((tx) => work(tx)) };
}
