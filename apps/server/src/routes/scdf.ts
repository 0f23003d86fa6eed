import { ApiError, ExecutionIdsParams, errorResponses, LogsQuery } from '@batchyard/core';
import type { PrismaClient } from '@batchyard/db';
import type { FastifyReply, FastifyRequest, LightMyRequestResponse } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ControlPlane } from '../control-plane.js';
import { ENDPOINT_ALIASES, launchBodyFrom } from '../scdf/aliases.js';
import { validateDefinition } from '../scdf/validation.js';

// Endpoints SCDF has that Batchyard adds for migrating teams: platforms, definition validation,
// and the SCDF spellings of existing endpoints (scdf/aliases.ts), forwarded to Batchyard's routes.

const tags = ['scdf'];

const Platform = z.object({
  name: z.string(),
  type: z.enum(['local', 'kubernetes']),
  description: z.string(),
  maxConcurrent: z.number().int(),
  default: z.boolean(),
});

const ValidationReport = z.object({
  appName: z.string(),
  dsl: z.string(),
  description: z.string().nullable(),
  valid: z.boolean(),
  appStatuses: z.record(z.string(), z.enum(['valid', 'invalid'])),
  problems: z.array(z.object({ path: z.string(), message: z.string() })),
});

/** SCDF 2.11's name for the Spring Boot 3 tables (Batch 5 / Task 3), the only ones Batchyard keeps. */
export const SCHEMA_TARGET = 'boot3';

const LaunchResponse = z.object({
  executionId: z.number().int(),
  schemaTarget: z.literal(SCHEMA_TARGET),
  _links: z.object({ self: z.object({ href: z.string() }) }),
});

/** Runs the Batchyard route in-process, with the caller's headers (credentials included). */
function inject(req: FastifyRequest, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  const headers = { ...req.headers };
  delete headers['content-length'];
  if (payload === undefined) delete headers['content-type'];
  else headers['content-type'] = 'application/json';
  return req.server.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
}

/** The Batchyard route's answer, as it is. */
function relay(reply: FastifyReply, res: LightMyRequestResponse) {
  reply.status(res.statusCode);
  const type = res.headers['content-type'];
  if (type) reply.header('content-type', type);
  return reply.send(res.body);
}

/** Hands a request to the Batchyard route and relays its answer. */
async function forward(
  req: FastifyRequest,
  reply: FastifyReply,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
) {
  return relay(reply, await inject(req, method, url, payload));
}

export function scdfRoutes(prisma: PrismaClient, plane: ControlPlane): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/tasks/platforms',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Platform accounts launches can use (SCDF: task launchers)',
          response: { 200: z.object({ items: z.array(Platform) }) },
        },
      },
      async () => ({
        items: plane.platforms.platforms.map((p, i) => ({
          name: p.name,
          type: p.type,
          description: p.type === 'kubernetes' ? 'Kubernetes Jobs' : 'local processes',
          maxConcurrent: p.maxConcurrent,
          default: i === 0,
        })),
      }),
    );

    app.get(
      '/tasks/validation/:name',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Validate a definition: DSL, every app resolvable, every property valid (one report)',
          params: z.object({ name: z.string().min(1).max(255) }),
          response: { 200: ValidationReport, ...errorResponses },
        },
      },
      async (req) => validateDefinition(prisma, plane.launcher, req.params.name),
    );

    for (const alias of ENDPOINT_ALIASES.filter((a) => a.flag === undefined)) {
      const summary = `SCDF alias of ${alias.target}: ${alias.note}`;
      if (alias.path === '/tasks/executions/launch') {
        app.post(
          alias.path,
          {
            config: { role: 'DEPLOY' },
            schema: {
              tags,
              summary,
              description:
                "The same fields as a form body (`application/x-www-form-urlencoded`) too. Answers as SCDF 2.11+/3: `{executionId, schemaTarget: 'boot3', _links}`.",
              querystring: z.object({
                name: z.string().min(1).max(255).optional(),
                properties: z.string().max(100_000).optional(),
                arguments: z.string().max(100_000).optional(),
                platformName: z.string().max(255).optional(),
              }),
              body: z.record(z.string(), z.unknown()).nullable().optional(),
              response: { 201: LaunchResponse, ...errorResponses },
            },
          },
          async (req, reply) => {
            let body: Record<string, unknown>;
            try {
              body = launchBodyFrom(req.query, req.body);
            } catch (err) {
              const message = (err as Error).message;
              throw new ApiError('VALIDATION_FAILED', `query.properties: ${message}`, [
                { path: 'query.properties', message },
              ]);
            }
            const res = await inject(req, 'POST', '/tasks/executions', body);
            if (res.statusCode !== 201) return relay(reply, res);
            // SCDF 2.11+/3's launch answer: the execution id, its schema target and a link to it.
            const { id } = JSON.parse(res.body) as { id: number };
            return reply.status(201).send({
              executionId: id,
              schemaTarget: SCHEMA_TARGET,
              _links: { self: { href: `${req.protocol}://${req.host}/tasks/executions/${id}` } },
            });
          },
        );
      } else if (alias.path === '/tasks/executions/:ids') {
        app.post(
          alias.path,
          { config: { role: 'DEPLOY' }, schema: { tags, summary, params: ExecutionIdsParams } },
          async (req, reply) =>
            forward(req, reply, 'POST', `/tasks/executions/${req.params.ids.join(',')}/stop`),
        );
      } else if (alias.path === '/tasks/schedules/instances/:definition') {
        app.get(
          alias.path,
          {
            config: { role: 'VIEW' },
            schema: {
              tags,
              summary,
              params: z.object({ definition: z.string().min(1).max(255) }),
              querystring: z.object({
                size: z.string().max(10).optional(),
                cursor: z.string().max(1000).optional(),
              }),
            },
          },
          async (req, reply) => {
            const query = new URLSearchParams({ taskDefinitionName: req.params.definition });
            if (req.query.size !== undefined) query.set('size', req.query.size);
            if (req.query.cursor !== undefined) query.set('cursor', req.query.cursor);
            return forward(req, reply, 'GET', `/tasks/schedules?${query}`);
          },
        );
      } else if (alias.path === '/tasks/logs/:externalId') {
        app.get(
          alias.path,
          {
            config: { role: 'VIEW' },
            schema: {
              tags,
              summary,
              params: z.object({ externalId: z.string().min(1).max(255) }),
              querystring: LogsQuery.extend({ platformName: z.string().max(255).optional() }),
            },
          },
          async (req, reply) => {
            const execution = await plane.executions.byExternalId(req.params.externalId);
            if (req.query.platformName !== undefined && req.query.platformName !== execution.platformName) {
              const message = `execution with external id ${req.params.externalId} ran on '${execution.platformName}', not '${req.query.platformName}'`;
              throw new ApiError('NOT_FOUND', message, [{ path: 'query.platformName', message }]);
            }
            const stream = await plane.executions.logs(execution.id, req.query);
            reply.header('content-type', 'text/plain; charset=utf-8');
            return reply.send(stream);
          },
        );
      }
    }

    // SCDF's job operations as query flags on the execution itself.
    app.put(
      '/jobs/executions/:id',
      {
        config: { role: 'DEPLOY' },
        schema: {
          tags,
          summary: 'SCDF alias: ?stop=true → PUT /jobs/executions/{id}/stop, ?restart=true → …/restart',
          params: z.object({ id: z.coerce.number().int().positive() }),
          querystring: z
            .object({
              stop: z.enum(['true', 'false']).optional(),
              restart: z.enum(['true', 'false']).optional(),
            })
            .refine((q) => (q.stop === 'true') !== (q.restart === 'true'), {
              message: 'give exactly one of stop=true or restart=true',
            }),
        },
      },
      async (req, reply) => {
        const alias = ENDPOINT_ALIASES.find(
          (a) => a.flag === (req.query.stop === 'true' ? 'stop' : 'restart'),
        )!;
        return forward(req, reply, 'PUT', `/jobs/executions/${req.params.id}/${alias.flag}`);
      },
    );
  };
}
