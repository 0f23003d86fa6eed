import { ACTIVE_STATUSES, type DashboardEvent, type EventTopic } from '@batchyard/core';
import type { FastifyBaseLogger } from 'fastify';
import type { ControlPlane } from '../control-plane.js';
import type { JobService } from '../services/jobs.js';
import { diffSnapshots, type Snapshot, snapshotOf } from './change-diff.js';

export type Subscriber = { topics: ReadonlySet<EventTopic>; send(event: DashboardEvent): void };

/**
 * Fans execution/job/step changes out to the dashboard's SSE clients. Terminal changes come from
 * the control plane's listener as they commit; launches and running rows from one shared look at
 * the active rows every `intervalMs`, made only while at least one client is connected — however
 * many clients there are, it is the same handful of keyset queries.
 */
export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;
  private last: Snapshot | undefined;
  private looking: Promise<void> | undefined;

  constructor(
    private readonly plane: Pick<ControlPlane, 'executions' | 'onTerminal' | 'onLaunch'>,
    private readonly jobs: Pick<JobService, 'list' | 'steps'>,
    private readonly logger: FastifyBaseLogger,
    private readonly intervalMs = 2000,
  ) {
    plane.onTerminal((id, status) => this.publish({ topic: 'executions', id, status }));
    plane.onLaunch(() => void this.look());
  }

  get clients(): number {
    return this.subscribers.size;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    if (!this.timer) {
      this.timer = setInterval(() => void this.look(), this.intervalMs);
      this.timer.unref();
      void this.look();
    }
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.close();
    };
  }

  publish(event: DashboardEvent): void {
    for (const s of this.subscribers) if (s.topics.has(event.topic)) s.send(event);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  /** One look at the active rows (one at a time), published as the changes since the previous look. */
  look(): Promise<void> {
    if (this.subscribers.size === 0) return Promise.resolve();
    this.looking ??= this.snapshot()
      .then((now) => {
        for (const event of diffSnapshots(this.last, now)) this.publish(event);
        this.last = now;
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'dashboard events: look at active rows failed'))
      .finally(() => {
        this.looking = undefined;
      });
    return this.looking;
  }

  private async snapshot(): Promise<Snapshot> {
    const events: DashboardEvent[] = [];
    const [recent, queued, ...active] = await Promise.all([
      this.plane.executions.list({ size: 50 }),
      this.plane.executions.list({ size: 200, status: 'QUEUED' }),
      ...ACTIVE_STATUSES.map((status) => this.plane.executions.list({ size: 200, status })),
    ]);
    for (const e of [recent, queued, ...active].flatMap((p) => p.items)) {
      events.push({ topic: 'executions', id: e.id, status: e.status });
    }
    const [recentJobs, running] = await Promise.all([
      this.jobs.list({ size: 50 }),
      this.jobs.list({ size: 50, status: 'STARTED' }),
    ]);
    for (const j of [...recentJobs.items, ...running.items])
      events.push({ topic: 'jobs', id: j.id, status: j.status });
    for (const job of running.items.slice(0, 20)) {
      for (const s of await this.jobs.steps(job.id)) {
        events.push({
          topic: 'steps',
          id: s.id,
          jobExecutionId: s.jobExecutionId,
          status: s.status,
          readCount: s.readCount,
          writeCount: s.writeCount,
          commitCount: s.commitCount,
        });
      }
    }
    return snapshotOf(events);
  }
}
