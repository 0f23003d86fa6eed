import {
  CreateDefinitionBody,
  DefinitionPage,
  DefinitionParams,
  errorResponses,
  ListDefinitionsQuery,
  TaskDefinitionRevisionSchema,
  TaskDefinitionSchema,
  UpdateDefinitionBody,
} from '@batchyard/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TaskDefinitionService } from '../services/task-definitions.js';

const tags = ['tasks'];

const SchedulesQuery = z.object({
  schedules: z
    .enum(['delete'])
    .optional()
    .describe('Delete their schedules too; without it a definition with schedules is refused (409).'),
});

export function definitionRoutes(service: TaskDefinitionService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/tasks/definitions',
      {
        schema: {
          tags,
          summary: 'Create a task definition',
          body: CreateDefinitionBody,
          response: { 201: TaskDefinitionSchema, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await service.create(req.body)),
    );

    app.get(
      '/tasks/definitions',
      {
        schema: {
          tags,
          summary: 'List task definitions (keyset paging by name)',
          querystring: ListDefinitionsQuery,
          response: { 200: DefinitionPage, ...errorResponses },
        },
      },
      async (req) => service.list(req.query),
    );

    app.get(
      '/tasks/definitions/:name',
      {
        schema: {
          tags,
          summary: 'Show a task definition',
          params: DefinitionParams,
          response: { 200: TaskDefinitionSchema, ...errorResponses },
        },
      },
      async (req) => service.get(req.params.name),
    );

    app.put(
      '/tasks/definitions/:name',
      {
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
        schema: {
          tags,
          summary: 'Delete a task definition (with ?schedules=delete, its schedules too)',
          params: DefinitionParams,
          querystring: SchedulesQuery,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await service.delete(req.params.name, req.query.schedules === 'delete');
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/tasks/definitions',
      {
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
