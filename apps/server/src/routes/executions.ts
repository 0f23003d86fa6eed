import {
  BulkCleanupQuery,
  CleanupQuery,
  CurrentExecutionsSchema,
  ExecutionIdParams,
  ExecutionIdsParams,
  ExecutionPage,
  errorResponses,
  LaunchBody,
  ListExecutionsQuery,
  LogsQuery,
  TaskExecutionSchema,
  TaskName,
} from '@batchyard/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { claimOf } from '../idempotency/claim.js';
import { fastSerializerCompiler } from '../plugins/fast-serializer.js';
import { isScdfForm } from '../scdf/forms/plugin.js';
import type { TaskExecutionService } from '../services/executions.js';
import type { Launcher } from '../services/launcher.js';

const tags = ['tasks'];
const CleanupResult = z.object({ cleaned: z.number().int(), removed: z.number().int() });

export function executionRoutes(launcher: Launcher, service: TaskExecutionService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/tasks/executions',
      {
        config: { role: 'DEPLOY' },
        schema: {
          tags,
          summary: 'Launch a task (queued when its platform account is at capacity)',
          description:
            "SCDF's form (`name=…&properties=k%3Dv&arguments=--x%3D1`, as a form body or query parameters " +
            'on a bodiless POST) is taken too and answered as SCDF does: the execution id alone.',
          body: LaunchBody,
          response: { 201: z.union([TaskExecutionSchema, z.number().int()]), ...errorResponses },
        },
      },
      async (req, reply) => {
        const execution = await launcher.launchOnce(claimOf(req), (idempotency) =>
          launcher.launch(req.body, { idempotency }),
        );
        return reply.status(201).send(isScdfForm(req) ? execution.id : execution);
      },
    );

    app.get(
      '/tasks/executions',
      {
        config: { role: 'VIEW' },
        serializerCompiler: fastSerializerCompiler,
        schema: {
          tags,
          summary: 'List task executions, newest first (keyset paging)',
          querystring: ListExecutionsQuery,
          response: { 200: ExecutionPage, ...errorResponses },
        },
      },
      async (req) => service.list(req.query),
    );

    app.get(
      '/tasks/executions/current',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Running and queued executions per platform account',
          response: { 200: CurrentExecutionsSchema },
        },
      },
      async () => service.current(),
    );

    app.get(
      '/tasks/executions/external/:externalId',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Find an execution by its platform id (Job name)',
          params: z.object({ externalId: z.string().min(1).max(255) }),
          response: { 200: TaskExecutionSchema, ...errorResponses },
        },
      },
      async (req) => service.byExternalId(req.params.externalId),
    );

    app.get(
      '/tasks/executions/:id',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Show a task execution',
          params: ExecutionIdParams,
          response: { 200: TaskExecutionSchema, ...errorResponses },
        },
      },
      async (req) => service.get(req.params.id),
    );

    app.get(
      '/tasks/info/executions',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary:
            'Number of executions (of one task, or all); completed=true: finished ones only; days=N: ended at least N days ago (SCDF)',
          querystring: z.object({
            name: TaskName.optional(),
            completed: z
              .enum(['true', 'false'])
              .transform((v) => v === 'true')
              .optional(),
            days: z.coerce.number().int().min(0).max(36_500).optional(),
          }),
          response: { 200: z.object({ totalExecutions: z.number().int() }), ...errorResponses },
        },
      },
      async (req) => ({ totalExecutions: await service.count(req.query) }),
    );

    app.post(
      '/tasks/executions/:ids/stop',
      {
        config: { role: 'DEPLOY' },
        schema: {
          tags,
          summary: 'Stop executions (comma-separated ids): SIGTERM, grace period, then removal',
          params: ExecutionIdsParams,
          response: { 200: z.array(TaskExecutionSchema), ...errorResponses },
        },
      },
      async (req) => service.stop(req.params.ids),
    );

    app.post(
      '/tasks/executions/:id/relaunch',
      {
        config: { role: 'DEPLOY' },
        schema: {
          tags,
          summary:
            'Launch again with the same arguments and properties (sealed secrets opened; 409 naming them when no key sealed them)',
          params: ExecutionIdParams,
          response: { 201: TaskExecutionSchema, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await launcher.launchOnce(claimOf(req), (idempotency) =>
              service.relaunch(req.params.id, idempotency),
            ),
          ),
    );

    app.delete(
      '/tasks/executions/:ids',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary: 'Clean up platform resources and/or remove execution data (comma-separated ids)',
          params: ExecutionIdsParams,
          querystring: CleanupQuery,
          response: { 200: CleanupResult, ...errorResponses },
        },
      },
      async (req) => service.cleanup(req.params.ids, req.query.action),
    );

    app.delete(
      '/tasks/executions',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary: 'Clean up / remove finished executions by task, status and age',
          querystring: BulkCleanupQuery,
          response: { 200: CleanupResult, ...errorResponses },
        },
      },
      async ({ query: q }) =>
        service.cleanupMatching(
          { task: q.task ?? q.taskName, status: q.status, olderThanDays: q.olderThanDays ?? q.days },
          q.action,
        ),
    );

    app.get(
      '/tasks/executions/:id/logs',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Logs (text); follow=true streams until the execution ends',
          params: ExecutionIdParams,
          querystring: LogsQuery,
          produces: ['text/plain'],
        },
      },
      async (req, reply) => {
        const stream = await service.logs(req.params.id, req.query);
        reply.header('content-type', 'text/plain; charset=utf-8');
        return reply.send(stream);
      },
    );
  };
}
