import {
  CreateDefinitionBody,
  DefinitionParams,
  DefinitionWithStatusPage,
  errorResponses,
  ListDefinitionsQuery,
  TaskDefinitionRevisionSchema,
  TaskDefinitionSchema,
  TaskDefinitionWithStatusSchema,
  UpdateDefinitionBody,
} from '@batchyard/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fastSerializerCompiler } from '../plugins/fast-serializer.js';
import type { TaskDefinitionService } from '../services/task-definitions.js';

const tags = ['tasks'];

const SchedulesQuery = z.object({
  schedules: z
    .enum(['delete'])
    .optional()
    .describe('Delete their schedules too; without it a definition with schedules is refused (409).'),
});

/** Finished executions of these tasks: their platform resources cleaned up and their data removed. */
export type CleanupExecutions = (taskNames: string[]) => Promise<unknown>;

export function definitionRoutes(
  service: TaskDefinitionService,
  cleanupExecutions?: CleanupExecutions,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/tasks/definitions',
      {
        config: { role: 'CREATE' },
        schema: {
          tags,
          summary: 'Create a task definition',
          description:
            "SCDF's form body (`application/x-www-form-urlencoded`: `name`, `definition`, `description`) is taken too.",
          body: CreateDefinitionBody,
          response: { 201: TaskDefinitionSchema, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await service.create(req.body)),
    );

    app.get(
      '/tasks/definitions',
      {
        config: { role: 'VIEW' },
        serializerCompiler: fastSerializerCompiler,
        schema: {
          tags,
          summary: 'List task definitions (keyset paging by name)',
          querystring: ListDefinitionsQuery,
          response: { 200: DefinitionWithStatusPage, ...errorResponses },
        },
      },
      async (req) => service.list(req.query),
    );

    app.get(
      '/tasks/definitions/:name',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Show a task definition',
          params: DefinitionParams,
          response: { 200: TaskDefinitionWithStatusSchema, ...errorResponses },
        },
      },
      async (req) => service.get(req.params.name),
    );

    app.put(
      '/tasks/definitions/:name',
      {
        config: { role: 'MODIFY' },
        schema: {
          tags,
          summary: 'Edit a task definition (the previous version is kept in its history)',
          params: DefinitionParams,
          body: UpdateDefinitionBody,
          response: { 200: TaskDefinitionSchema, ...errorResponses },
        },
      },
      async (req) => service.update(req.params.name, req.body),
    );

    app.get(
      '/tasks/definitions/:name/history',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'The current definition and its earlier versions, newest first',
          params: DefinitionParams,
          response: {
            200: z.object({
              current: TaskDefinitionSchema,
              revisions: z.array(TaskDefinitionRevisionSchema),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => service.history(req.params.name),
    );

    app.delete(
      '/tasks/definitions/:name',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary:
            'Delete a task definition (with ?schedules=delete, its schedules too; with ?cleanup=true, the platform resources and data of its finished executions, as SCDF)',
          params: DefinitionParams,
          querystring: SchedulesQuery.extend({
            cleanup: z
              .enum(['true', 'false'])
              .transform((v) => v === 'true')
              .optional(),
          }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        // Names first (a composed definition's children go with it), cleanup after the delete
        // succeeded: a refused delete (schedules, a child) leaves the history alone.
        const names = req.query.cleanup ? await service.namesWithDescendants(req.params.name) : [];
        await service.delete(req.params.name, req.query.schedules === 'delete');
        if (names.length > 0) await cleanupExecutions?.(names);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/tasks/definitions',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary: 'Delete all task definitions (with ?schedules=delete, every schedule too)',
          querystring: SchedulesQuery,
          response: { 200: z.object({ deleted: z.number().int() }), ...errorResponses },
        },
      },
      async (req) => ({ deleted: await service.deleteAll(req.query.schedules === 'delete') }),
    );
  };
}
