import type { TaskStatus } from '@batchyard/core';
import { type Db, executions, monitoring } from '@batchyard/db';
import type { InformerStats } from '@batchyard/k8s';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ControlPlane } from '../control-plane.js';

/** Caps label values that come from users (task names) so a flood of names cannot blow up memory. */
export class LabelCap {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}
  value(name: string): string {
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.max) return '_other';
    this.seen.add(name);
    return name;
  }
}

export interface ServerMetrics {
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  launches: Counter<'result' | 'source'>;
}

type InformerSource = { name: string; informerStats?: () => { jobs?: InformerStats; pods?: InformerStats } };

/**
 * Control-plane metrics: HTTP and launch counters fed by hooks, execution durations fed by the
 * control plane's terminal events, and gauges read at scrape time (status counts from one
 * index-only GROUP BY; informer figures from memory).
 */
export function registerServerMetrics(
  register: Registry,
  db: Db,
  controlPlane: ControlPlane,
  maxSeries: number,
): ServerMetrics {
  const httpDuration = new Histogram({
    name: 'batchyard_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register],
  });
  const launches = new Counter({
    name: 'batchyard_task_launches_total',
    help: 'Launches by result (launched, queued, rejected, failed) and source (api, schedule, composed, partition, adopted).',
    labelNames: ['result', 'source'],
    registers: [register],
  });
  const taskNames = new LabelCap(maxSeries);
  const duration = new Histogram({
    name: 'batchyard_task_execution_duration_seconds',
    help: 'Duration of finished task executions by task name and final status (names beyond the cap: _other).',
    labelNames: ['task', 'status'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600],
    registers: [register],
  });
  const finished = new Counter({
    name: 'batchyard_task_executions_finished_total',
    help: 'Task executions that reached a terminal state, by task name and status.',
    labelNames: ['task', 'status'],
    registers: [register],
  });
  controlPlane.onTerminal(async (id: number, status: TaskStatus) => {
    const row = await executions.findExecution(db, id);
    if (!row) return;
    const labels = { task: taskNames.value(row.taskName), status };
    finished.inc(labels);
    if (row.startTime && row.endTime) {
      duration.observe(labels, Math.max(0, (row.endTime.getTime() - row.startTime.getTime()) / 1000));
    }
  });

  let counts:
    | { at: number; value: Promise<Awaited<ReturnType<typeof monitoring.taskStatusCounts>>> }
    | undefined;
  const statusCounts = () => {
    if (!counts || Date.now() - counts.at > 1000) {
      counts = { at: Date.now(), value: monitoring.taskStatusCounts(db) };
      counts.value.catch(() => {
        counts = undefined;
      });
    }
    return counts.value;
  };
  new Gauge({
    name: 'batchyard_task_executions',
    help: 'Task executions by status (all platform accounts).',
    labelNames: ['status'],
    registers: [register],
    async collect() {
      this.reset();
      const byStatus = new Map<string, number>();
      for (const c of await statusCounts()) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + c.count);
      for (const s of executions.ALL_STATUSES) this.set({ status: s }, byStatus.get(s) ?? 0);
    },
  });
  new Gauge({
    name: 'batchyard_queue_depth',
    help: 'QUEUED task executions per platform account.',
    labelNames: ['platform'],
    registers: [register],
    async collect() {
      this.reset();
      const all = await statusCounts();
      for (const p of controlPlane.platforms.platforms) {
        const n = all.find((c) => c.platform === p.name && c.status === 'QUEUED')?.count ?? 0;
        this.set({ platform: p.name }, n);
      }
    },
  });

  const informers = () =>
    controlPlane.platforms.platforms.flatMap((p) => {
      const source = p as unknown as InformerSource;
      if (typeof source.informerStats !== 'function') return [];
      const stats = source.informerStats();
      return (['jobs', 'pods'] as const).flatMap((resource) => {
        const s = stats[resource];
        return s ? [{ platform: p.name, resource, stats: s }] : [];
      });
    });
  new Gauge({
    name: 'batchyard_reconcile_lag_seconds',
    help: "Kubernetes informers: receipt time minus the object's last write, for the last event.",
    labelNames: ['platform', 'resource'],
    registers: [register],
    collect() {
      this.reset();
      for (const i of informers()) {
        if (i.stats.lastEventLagMs !== undefined) {
          this.set({ platform: i.platform, resource: i.resource }, i.stats.lastEventLagMs / 1000);
        }
      }
    },
  });
  new Gauge({
    name: 'batchyard_informer_reconnects',
    help: 'Kubernetes informers: watch reconnections and restarts since the server started.',
    labelNames: ['platform', 'resource'],
    registers: [register],
    collect() {
      this.reset();
      for (const i of informers())
        this.set({ platform: i.platform, resource: i.resource }, i.stats.reconnects);
    },
  });
  return { httpDuration, launches };
}
