import type { Db } from '@batchyard/db';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ControlPlane } from '../control-plane.js';
import { registerBatchMetrics } from './batch-collector.js';
import { registerServerMetrics } from './server-metrics.js';

/**
 * Most series per source (job/status rows, job/step rows, task names in the duration histogram).
 * At the cap the scrape keeps the first names in order and sets batchyard_metrics_series_truncated.
 */
export const MAX_SERIES = 500;

/**
 * Prometheus metrics on `GET /metrics`. A registry per app (never prom-client's global one),
 * so tests can build several apps in one process.
 */
export function registerMetrics(app: FastifyInstance, db: Db, controlPlane: ControlPlane): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'batchyard_' });
  const server = registerServerMetrics(register, db, controlPlane, MAX_SERIES);
  registerBatchMetrics(register, db, MAX_SERIES);
  new Gauge({
    name: 'batchyard_leader',
    help: 'Whether this replica leads (runs dispatch, reconcile, schedules, composed orchestration)',
    labelNames: ['replica', 'backend'],
    registers: [register],
    collect() {
      const s = app.leadership.state;
      this.reset();
      this.set({ replica: s.replicaId, backend: s.backend }, s.leading ? 1 : 0);
    },
  });

  const fenced = new Counter({
    name: 'batchyard_leader_fenced_writes_total',
    help: 'Writes of a singleton loop refused because this replica no longer led (a newer term began)',
    labelNames: ['loop'],
    registers: [register],
  });
  app.leadership.fence?.onRefused((loop) => fenced.inc({ loop }));

  controlPlane.onLaunch((result, source) => server.launches.inc({ result, source }));
  app.addHook('onResponse', async (req, reply) => {
    // The route template, never the raw URL: ids in paths would make a series per execution.
    server.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', { config: { role: 'VIEW' }, schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', register.contentType);
    return register.metrics();
  });
  return register;
}
