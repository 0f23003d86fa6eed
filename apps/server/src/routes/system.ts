import { type PrismaClient, pendingMigrations } from '@batchyard/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import pg from 'pg';
import { z } from 'zod';
import type { AuthServices } from '../auth/plugin.js';
import { ROLES } from '../auth/roles.js';
import type { Config } from '../config.js';
import type { EmbeddedDatabaseState } from '../database/embedded-supervisor.js';
import type { LeadershipState } from '../leader/elector.js';
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
  auth: Pick<AuthServices, 'enabled' | 'methods'>;
  /** This replica's id and whether it leads (read at each request). */
  leadership: Readonly<LeadershipState>;
  embeddedDatabaseState?: () => EmbeddedDatabaseState;
}

export function systemRoutes(deps: SystemDeps): FastifyPluginAsyncZod {
  const replica = () => ({ replica: deps.leadership.replicaId, leader: String(deps.leadership.leading) });
  return async (app) => {
    app.get(
      '/health/live',
      {
        config: { role: 'PUBLIC' },
        schema: { tags, summary: 'The process is alive', response: { 200: Check } },
      },
      async () => ({ status: 'UP' as const }),
    );

    app.get(
      '/health/ready',
      {
        config: { role: 'PUBLIC' },
        schema: {
          tags,
          summary: 'Database reachable and migrations applied',
          response: { 200: Check, 503: Check },
        },
      },
      async (_req, reply) => {
        const embedded = deps.embeddedDatabaseState?.();
        if (embedded && embedded.status !== 'up') {
          const database =
            embedded.status === 'restarting'
              ? `embedded PostgreSQL restarting (attempt ${embedded.attempt} of ${embedded.maxAttempts}): ${embedded.reason}`
              : embedded.reason;
          return reply.status(503).send({ status: 'DOWN', details: { database } });
        }
        const client = new pg.Client({ connectionString: deps.databaseUrl, connectionTimeoutMillis: 2000 });
        try {
          await client.connect();
          const pending = await pendingMigrations(client);
          if (pending.length > 0) {
            return reply.status(503).send({
              status: 'DOWN',
              details: { migrations: `pending: ${pending.join(', ')}`, ...replica() },
            });
          }
          return {
            status: 'UP' as const,
            details: { database: 'reachable', migrations: 'applied', ...replica() },
          };
        } catch (err) {
          return reply
            .status(503)
            .send({ status: 'DOWN', details: { database: (err as Error).message, ...replica() } });
        } finally {
          await client.end().catch(() => undefined);
        }
      },
    );

    app.get(
      '/about',
      {
        config: { role: 'VIEW' },
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
              security: z.object({
                authenticationEnabled: z.boolean(),
                methods: z.array(z.string()).describe('token, oidc, kubernetes, session'),
              }),
              replica: z.object({
                id: z.string(),
                leader: z.boolean().describe('Whether this replica runs the singleton loops now'),
                leaseBackend: z.enum(['kubernetes', 'postgres']),
              }),
              links: z
                .object({ grafana: z.string().nullable().describe('dashboard.grafanaUrl, when configured') })
                .describe('Where the dashboard links out to'),
              caller: z
                .object({ name: z.string(), kind: z.string(), roles: z.array(z.enum(ROLES)) })
                .describe('Who the request was made as, and the roles it holds'),
            }),
          },
        },
      },
      async (req) => ({
        name: 'batchyard',
        version: VERSION,
        features: { taskDefinitions: true, appRegistry: true, editableDefinitions: true },
        database: { embedded: deps.embeddedDatabase },
        platforms: deps.config.platforms.map((p) => ({ name: p.name, type: p.type })),
        replica: {
          id: deps.leadership.replicaId,
          leader: deps.leadership.leading,
          leaseBackend: deps.leadership.backend,
        },
        security: { authenticationEnabled: deps.auth.enabled, methods: deps.auth.methods },
        links: { grafana: deps.config.dashboard.grafanaUrl ?? null },
        caller: { name: req.principal.name, kind: req.principal.kind, roles: [...req.principal.roles] },
      }),
    );
  };
}
