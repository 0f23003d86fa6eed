import { type PrismaClient, pendingMigrations } from '@batchyard/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import pg from 'pg';
import { z } from 'zod';
import type { Config } from '../config.js';
import { VERSION } from '../version.js';

const tags = ['system'];
const Check = z.object({
  status: z.enum(['UP', 'DOWN']),
  details: z.record(z.string(), z.string()).optional(),
});

export interface SystemDeps {
  config: Readonly<Config>;
  prisma: PrismaClient;
  databaseUrl: string;
  embeddedDatabase: boolean;
}

export function systemRoutes(deps: SystemDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health/live',
      { schema: { tags, summary: 'The process is alive', response: { 200: Check } } },
      async () => ({ status: 'UP' as const }),
    );

    app.get(
      '/health/ready',
      {
        schema: {
          tags,
          summary: 'Database reachable and migrations applied',
          response: { 200: Check, 503: Check },
        },
      },
      async (_req, reply) => {
        const client = new pg.Client({ connectionString: deps.databaseUrl, connectionTimeoutMillis: 2000 });
        try {
          await client.connect();
          const pending = await pendingMigrations(client);
          if (pending.length > 0) {
            return reply
              .status(503)
              .send({ status: 'DOWN', details: { migrations: `pending: ${pending.join(', ')}` } });
          }
          return { status: 'UP' as const, details: { database: 'reachable', migrations: 'applied' } };
        } catch (err) {
          return reply.status(503).send({ status: 'DOWN', details: { database: (err as Error).message } });
        } finally {
          await client.end().catch(() => undefined);
        }
      },
    );

    app.get(
      '/about',
      {
        schema: {
          tags,
          summary: 'Version, features and platforms',
          response: {
            200: z.object({
              name: z.string(),
              version: z.string(),
              features: z.record(z.string(), z.boolean()),
              database: z.object({ embedded: z.boolean() }),
              platforms: z.array(z.object({ name: z.string(), type: z.string() })),
            }),
          },
        },
      },
      async () => ({
        name: 'batchyard',
        version: VERSION,
        features: { taskDefinitions: true, appRegistry: true, editableDefinitions: true },
        database: { embedded: deps.embeddedDatabase },
        platforms: deps.config.platforms.map((p) => ({ name: p.name, type: p.type })),
      }),
    );
  };
}
