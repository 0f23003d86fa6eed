import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from '@batchyard/db';
import { retention as repo } from '@batchyard/db';
import type { Logger } from 'pino';
import { RetentionArchive } from './archive.js';
import type { RetentionConfig } from './config.js';
import { effectivePolicy, isEmpty, type Policy, readOverride } from './policy.js';

/** The fence of a delete: true while this replica still leads (checked in the delete's transaction). */
export type Fence = (tx: Prisma.TransactionClient) => Promise<boolean>;

export type RemovedKind = 'task_execution' | 'job_execution' | 'step_execution' | 'job_instance';

export interface TaskPreview {
  taskName: string;
  policy: Policy;
  /** Executions that go: top-level ones with their composed descendants. */
  executions: number;
  jobExecutions: number;
  oldest: { id: number; endTime: string | null } | null;
  newest: { id: number; endTime: string | null } | null;
  /** The first top-level ids that go, oldest first. */
  sampleIds: number[];
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  durationMs: number;
  batches: number;
  removed: Record<RemovedKind, number>;
  tasks: { taskName: string; executions: number }[];
  archiveFile: string | null;
  /** Why the run ended early (stopped leading, shutting down), if it did. */
  interrupted: string | null;
}

export class NotLeading extends Error {
  constructor() {
    super('this replica no longer leads');
  }
}

interface Batch {
  taskName: string;
  roots: number[];
  ids: number[];
  candidates: repo.Candidate[];
}

/**
 * Applies retention: for each task, its policy (override over the default) picks terminal
 * top-level executions by age and by count, a batch at a time over an index; a composed run goes
 * whole or not at all (a root with a live descendant, or whose job a live execution restarts, is
 * kept). The dry run walks exactly the same batches without deleting.
 */
export class RetentionService {
  private readonly listeners: ((kind: RemovedKind, n: number) => void)[] = [];
  lastRun: RunSummary | undefined;

  constructor(
    private readonly db: PrismaClient,
    private readonly config: Readonly<RetentionConfig>,
    private readonly logger: Logger,
  ) {}

  onRemoved(listener: (kind: RemovedKind, n: number) => void): void {
    this.listeners.push(listener);
  }

  get defaults(): Policy {
    const p: Policy = {};
    if (this.config.days !== undefined) p.days = this.config.days;
    if (this.config.keepLast !== undefined) p.keepLast = this.config.keepLast;
    return p;
  }

  async policyOf(taskName: string): Promise<{ own: unknown; effective: Policy } | undefined> {
    const row = await repo.overrideOf(this.db, taskName);
    if (!row) return undefined;
    return { own: row.policy, effective: effectivePolicy(this.defaults, readOverride(row.policy)) };
  }

  /** What a run at `now` would delete, per task (only tasks with something to delete). */
  async preview(now: Date, sample = 10, taskName?: string): Promise<TaskPreview[]> {
    const out = new Map<string, TaskPreview>();
    await this.walk(now, taskName, async (b, policy) => {
      let p = out.get(b.taskName);
      if (!p) {
        p = {
          taskName: b.taskName,
          policy,
          executions: 0,
          jobExecutions: 0,
          oldest: null,
          newest: null,
          sampleIds: [],
        };
        out.set(b.taskName, p);
      }
      p.executions += b.ids.length;
      p.jobExecutions += (await repo.jobExecutionsOf(this.db, b.ids)).length;
      const kept = new Set(b.roots);
      for (const c of b.candidates.filter((x) => kept.has(x.id))) {
        const at = { id: c.id, endTime: c.endTime?.toISOString() ?? null };
        if (!p.oldest || older(at, p.oldest)) p.oldest = at;
        if (!p.newest || older(p.newest, at)) p.newest = at;
        if (p.sampleIds.length < sample) p.sampleIds.push(c.id);
      }
      return true;
    });
    return [...out.values()];
  }

  /** Deletes what the policies say, batch by batch; `shouldStop` is asked between batches. */
  async run(now: Date, fence?: Fence, shouldStop: () => boolean = () => false): Promise<RunSummary> {
    const started = Date.now();
    const runId = randomUUID();
    const archive = this.config.archiveDir
      ? new RetentionArchive(this.config.archiveDir, runId, now)
      : undefined;
    const removed: Record<RemovedKind, number> = {
      task_execution: 0,
      job_execution: 0,
      step_execution: 0,
      job_instance: 0,
    };
    const tasks = new Map<string, number>();
    let batches = 0;
    let interrupted: string | null = null;
    try {
      await this.walk(now, undefined, async (b) => {
        if (shouldStop()) {
          interrupted = 'stopped';
          return false;
        }
        if (batches > 0 && this.config.pauseMs > 0) await pause(this.config.pauseMs);
        const r = await this.deleteBatch(b, batches + 1, fence, archive);
        batches++;
        tasks.set(b.taskName, (tasks.get(b.taskName) ?? 0) + r.taskExecutions);
        this.count(removed, 'task_execution', r.taskExecutions);
        this.count(removed, 'job_execution', r.jobExecutions);
        this.count(removed, 'step_execution', r.stepExecutions);
        this.count(removed, 'job_instance', r.jobInstances);
        return true;
      });
    } catch (err) {
      if (!(err instanceof NotLeading)) throw err;
      interrupted = err.message;
    } finally {
      await archive?.close();
    }
    const summary: RunSummary = {
      runId,
      startedAt: now.toISOString(),
      durationMs: Date.now() - started,
      batches,
      removed,
      tasks: [...tasks].map(([taskName, executions]) => ({ taskName, executions })),
      archiveFile: archive?.written ? archive.path : null,
      interrupted,
    };
    this.lastRun = summary;
    if (removed.task_execution > 0 || interrupted) this.logger.info({ retention: summary }, 'retention run');
    return summary;
  }

  private count(into: Record<RemovedKind, number>, kind: RemovedKind, n: number): void {
    into[kind] += n;
    if (n > 0) for (const l of this.listeners) l(kind, n);
  }

  /**
   * One short transaction: fence, lock the (still terminal) rows, archive and fsync, delete.
   * lock_timeout keeps it from queueing behind (and so in front of) anyone else's locks.
   */
  private deleteBatch(b: Batch, n: number, fence: Fence | undefined, archive: RetentionArchive | undefined) {
    return this.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SET LOCAL lock_timeout = '2s'`;
        if (fence && !(await fence(tx))) throw new NotLeading();
        const locked = new Set(await repo.lockTerminal(tx, b.ids));
        // A member that is no longer terminal keeps its whole composed run.
        const ids = b.ids.filter((id) => locked.has(id));
        const jobIds = await repo.jobExecutionsOf(tx, ids);
        if (archive) await archive.write(n, await repo.archiveRecords(tx, ids, jobIds));
        return repo.deleteExecutions(tx, ids, jobIds);
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
  }

  /**
   * Every batch the policies select at `now`, in order: per task, first by age (keyset over
   * end_time, id), then by count (keyset over id, leaving out what the age rule took). The count
   * boundary is fixed before anything is deleted, so a run deletes what its dry run showed.
   */
  private async walk(
    now: Date,
    only: string | undefined,
    handle: (b: Batch, policy: Policy) => Promise<boolean>,
  ): Promise<void> {
    const limit = this.config.batchSize;
    const own = new Map((await repo.overrides(this.db)).map((o) => [o.name, readOverride(o.policy)]));
    const names = only ? [only] : await repo.taskNames(this.db);
    for (const taskName of names) {
      const policy = effectivePolicy(this.defaults, own.get(taskName));
      if (isEmpty(policy)) continue;
      const cutoff = policy.days !== undefined ? new Date(now.getTime() - policy.days * 86_400_000) : null;
      const boundary =
        policy.keepLast !== undefined
          ? await repo.keepLastBoundary(this.db, taskName, policy.keepLast)
          : null;
      const take = async (candidates: repo.Candidate[]): Promise<boolean> => {
        if (candidates.length === 0) return true;
        const { roots, ids } = repo.removableIds(
          await repo.subtrees(
            this.db,
            candidates.map((c) => c.id),
          ),
        );
        if (ids.length === 0) return true;
        return handle({ taskName, roots, ids, candidates }, policy);
      };
      if (cutoff) {
        let after: repo.AgeCursor | null = null;
        for (;;) {
          const batch: repo.Candidate[] = await repo.agedOut(this.db, taskName, cutoff, after, limit);
          if (!(await take(batch))) return;
          const last = batch.at(-1);
          if (batch.length < limit || !last?.endTime) break;
          after = { endTime: last.endTime, id: last.id };
        }
      }
      if (boundary !== null) {
        let afterId = 0;
        for (;;) {
          const batch = await repo.beyondCount(this.db, taskName, boundary, cutoff, afterId, limit);
          if (!(await take(batch))) return;
          if (batch.length < limit) break;
          afterId = batch.at(-1)?.id ?? afterId;
        }
      }
    }
  }
}

const older = (a: { id: number; endTime: string | null }, b: { id: number; endTime: string | null }) =>
  (a.endTime ?? '') < (b.endTime ?? '') || ((a.endTime ?? '') === (b.endTime ?? '') && a.id < b.id);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
