import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AppDeps } from '../app.js';
import type { Leadership } from '../leader/elector.js';
import { RetentionLoop } from './loop.js';
import { retentionRoutes } from './routes.js';
import { RetentionService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Retention's loop: tests call runNow() instead of waiting for the interval. */
    retention: RetentionLoop;
  }
}

/** Retention as one capability: the service, its routes and the leader-only loop. */
export async function registerRetention(
  app: FastifyInstance,
  deps: AppDeps,
  leadership: Pick<Leadership, 'add' | 'fence' | 'state'>,
): Promise<RetentionService> {
  const logger = deps.logger.child({ component: 'retention' });
  const service = new RetentionService(deps.prisma, deps.config.retention, logger);
  const loop = new RetentionLoop(
    service,
    // Each batch's delete checks the term's epoch in its own transaction (leader/fence.ts).
    (tx) =>
      leadership.fence ? leadership.fence.check(tx, 'retention') : Promise.resolve(leadership.state.leading),
    deps.config.retention.intervalSeconds * 1000,
    logger,
  );
  app.decorate('retention', loop);
  leadership.add(loop);
  await app.register(retentionRoutes(deps.prisma, service, loop));
  return service;
}

/** batchyard_retention_*: what was removed (since start, on this replica) and the last run. */
export function registerRetentionMetrics(register: Registry, service: RetentionService): void {
  const deleted = new Counter({
    name: 'batchyard_retention_deleted_total',
    help: 'Rows removed by retention, by kind (task_execution, job_execution, step_execution, job_instance).',
    labelNames: ['kind'],
    registers: [register],
  });
  for (const kind of ['task_execution', 'job_execution', 'step_execution', 'job_instance'])
    deleted.inc({ kind }, 0);
  service.onRemoved((kind, n) => deleted.inc({ kind }, n));
  new Gauge({
    name: 'batchyard_retention_last_run_timestamp_seconds',
    help: 'When the last retention run on this replica started (0: none yet).',
    registers: [register],
    collect() {
      const at = service.lastRun ? Date.parse(service.lastRun.startedAt) / 1000 : 0;
      this.set(at);
    },
  });
  new Gauge({
    name: 'batchyard_retention_last_run_duration_seconds',
    help: 'How long the last retention run on this replica took.',
    registers: [register],
    collect() {
      this.set(service.lastRun ? service.lastRun.durationMs / 1000 : 0);
    },
  });
}
