import { DashboardEventSchema, EventsQuery, errorResponses } from '@batchyard/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ControlPlane } from '../control-plane.js';
import type { JobService } from '../services/jobs.js';
import { EventHub } from './event-hub.js';

/**
 * The dashboard's one server-push channel: `GET /events?topics=executions,jobs,steps` as
 * Server-Sent Events. Each message is a DashboardEvent (what changed); a comment line every 15 s
 * keeps proxies from closing an idle stream.
 */
export function eventRoutes(plane: ControlPlane, jobs: JobService): FastifyPluginAsyncZod {
  return async (app) => {
    const hub = new EventHub(plane, jobs, app.log);
    const open = new Set<() => void>();
    // Open streams end with the server (otherwise close would wait for every browser tab).
    app.addHook('preClose', async () => {
      for (const end of [...open]) end();
      hub.close();
    });
    app.get(
      '/events',
      {
        config: { role: 'VIEW' },
        // An endless text/event-stream; the 200 schema is that of each message's `data:` line.
        schema: {
          tags: ['dashboard'],
          summary: 'Server-Sent Events of execution, job and step changes (the dashboard live channel)',
          description:
            'Each message is `data: <DashboardEvent JSON>` followed by a blank line: what changed, not the ' +
            'whole row (re-read it through the REST API). The stream starts with `retry: 3000`; a comment ' +
            'line `: keep-alive` comes every 15 s. Terminal changes are pushed as they commit; launches and ' +
            'running rows come from one shared look at the active rows every 2 s, made only while a client ' +
            'is connected. Role VIEW; with a dashboard session the cookie authenticates it (EventSource ' +
            'sends no headers).',
          querystring: EventsQuery,
          produces: ['text/event-stream'],
          response: { 200: DashboardEventSchema, ...errorResponses },
        },
      },
      async (req, reply) => {
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write('retry: 3000\n\n');
        const unsubscribe = hub.subscribe({
          topics: req.query.topics,
          send: (event) => res.write(`data: ${JSON.stringify(event)}\n\n`),
        });
        const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
        keepAlive.unref();
        const end = () => {
          if (!open.delete(end)) return;
          clearInterval(keepAlive);
          unsubscribe();
          res.end();
        };
        open.add(end);
        req.raw.on('close', end);
      },
    );
  };
}
