import {
  CreateScheduleBody,
  DeleteSchedulesQuery,
  errorResponses,
  ListSchedulesQuery,
  PatchScheduleBody,
  ReplaceScheduleBody,
  ScheduleDetailSchema,
  SchedulePage,
  ScheduleParams,
  ScheduleSchema,
} from '@batchyard/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ScheduleService } from '../schedules/service.js';

const tags = ['schedules'];

export function scheduleRoutes(service: ScheduleService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/tasks/schedules',
      {
        config: { role: 'SCHEDULE' },
        schema: {
          tags,
          summary: 'Schedule a task definition (a CronJob on Kubernetes, in-process on local)',
          description:
            "SCDF's form body (`application/x-www-form-urlencoded`: `scheduleName`, `taskDefinitionName`, " +
            '`platform`, `properties` as `k=v,…` with `scheduler.cron.expression`, `arguments`) is taken too.',
          body: CreateScheduleBody,
          response: { 201: ScheduleSchema, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await service.create(req.body)),
    );

    app.get(
      '/tasks/schedules',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'List schedules (keyset paging by name)',
          querystring: ListSchedulesQuery,
          response: { 200: SchedulePage, ...errorResponses },
        },
      },
      async (req) => service.list(req.query),
    );

    app.get(
      '/tasks/schedules/:name',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Show a schedule with its next five fire times and recent executions',
          params: ScheduleParams,
          response: { 200: ScheduleDetailSchema, ...errorResponses },
        },
      },
      async (req) => service.get(req.params.name),
    );

    app.put(
      '/tasks/schedules/:name',
      {
        config: { role: 'SCHEDULE' },
        schema: {
          tags,
          summary: 'Replace a schedule in place (the CronJob is updated, not re-created)',
          params: ScheduleParams,
          body: ReplaceScheduleBody,
          response: { 200: ScheduleSchema, ...errorResponses },
        },
      },
      async (req) => service.replace(req.params.name, req.body),
    );

    app.patch(
      '/tasks/schedules/:name',
      {
        config: { role: 'SCHEDULE' },
        schema: {
          tags,
          summary: 'Change some fields of a schedule in place',
          params: ScheduleParams,
          body: PatchScheduleBody,
          response: { 200: ScheduleSchema, ...errorResponses },
        },
      },
      async (req) => service.patch(req.params.name, req.body),
    );

    for (const action of ['suspend', 'resume'] as const) {
      app.post(
        `/tasks/schedules/:name/${action}`,
        {
          config: { role: 'SCHEDULE' },
          schema: {
            tags,
            summary: action === 'suspend' ? 'Suspend: no fires until resumed' : 'Resume a suspended schedule',
            params: ScheduleParams,
            response: { 200: ScheduleSchema, ...errorResponses },
          },
        },
        async (req) => service.patch(req.params.name, { suspend: action === 'suspend' }),
      );
    }

    app.delete(
      '/tasks/schedules/:name',
      {
        config: { role: 'SCHEDULE' },
        schema: {
          tags,
          summary: 'Delete a schedule (runs it started are kept)',
          params: ScheduleParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await service.delete(req.params.name);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/tasks/schedules',
      {
        config: { role: 'SCHEDULE' },
        schema: {
          tags,
          summary: 'Delete every schedule of a task definition',
          querystring: DeleteSchedulesQuery,
          response: { 200: z.object({ deleted: z.number().int() }), ...errorResponses },
        },
      },
      async (req) => ({ deleted: await service.deleteForDefinition(req.query.taskDefinitionName) }),
    );
  };
}
