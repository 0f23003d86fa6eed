import {
  errorResponses,
  JobExecutionDetailSchema,
  JobExecutionIdParams,
  JobExecutionPage,
  JobExecutionSchema,
  JobInstanceIdParams,
  JobInstancePage,
  JobInstanceSchema,
  ListJobExecutionsQuery,
  ListJobInstancesQuery,
  StepExecutionIdParams,
  StepExecutionSchema,
  StepProgressSchema,
  TaskExecutionSchema,
} from '@batchyard/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { claimOf } from '../idempotency/claim.js';
import type { JobService } from '../services/jobs.js';

const tags = ['jobs'];

/** SCDF's job API: executions, instances, steps, progress, and the operator actions. */
export function jobRoutes(service: JobService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/jobs/executions',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'List job executions, newest first (keyset paging)',
          querystring: ListJobExecutionsQuery,
          response: { 200: JobExecutionPage, ...errorResponses },
        },
      },
      async (req) => service.list(req.query),
    );

    app.get(
      '/jobs/executions/:id',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Show a job execution with parameters, context and step executions',
          params: JobExecutionIdParams,
          response: { 200: JobExecutionDetailSchema, ...errorResponses },
        },
      },
      async (req) => service.get(req.params.id),
    );

    const action = (verb: 'stop' | 'abandon', summary: string) =>
      app.put(
        `/jobs/executions/:id/${verb}`,
        {
          config: { role: 'DEPLOY' },
          schema: {
            tags,
            summary,
            params: JobExecutionIdParams,
            response: { 200: JobExecutionSchema, ...errorResponses },
          },
        },
        async (req) => service[verb](req.params.id),
      );
    action('stop', 'Request a cooperative stop (STOPPING; the worker stops at its next chunk boundary)');
    action('abandon', 'Abandon a FAILED or STOPPED execution (it will never be restarted)');

    app.put(
      '/jobs/executions/:id/restart',
      {
        config: { role: 'DEPLOY' },
        schema: {
          tags,
          summary: 'Relaunch the task that ran this execution, restarting its failed job instance',
          params: JobExecutionIdParams,
          response: { 201: TaskExecutionSchema, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await service.launchOnce(claimOf(req), (idempotency) =>
              service.restart(req.params.id, idempotency),
            ),
          ),
    );

    app.get(
      '/jobs/executions/:id/steps',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Step executions of a job execution',
          params: JobExecutionIdParams,
          response: { 200: z.array(StepExecutionSchema), ...errorResponses },
        },
      },
      async (req) => service.steps(req.params.id),
    );

    app.get(
      '/jobs/executions/:id/steps/:stepId',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Show a step execution with its context',
          params: StepExecutionIdParams,
          response: { 200: StepExecutionSchema, ...errorResponses },
        },
      },
      async (req) => service.step(req.params.id, req.params.stepId),
    );

    app.get(
      '/jobs/executions/:id/steps/:stepId/progress',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Step progress: history of the step in its job and the estimated percentage complete',
          params: StepExecutionIdParams,
          response: { 200: StepProgressSchema, ...errorResponses },
        },
      },
      async (req) => service.progress(req.params.id, req.params.stepId),
    );

    app.get(
      '/jobs/instances',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'List job instances, newest first (keyset paging)',
          querystring: ListJobInstancesQuery,
          response: { 200: JobInstancePage, ...errorResponses },
        },
      },
      async (req) => service.instances(req.query),
    );

    app.get(
      '/jobs/instances/:id',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Show a job instance with its executions',
          params: JobInstanceIdParams,
          response: { 200: JobInstanceSchema, ...errorResponses },
        },
      },
      async (req) => service.instance(req.params.id),
    );
  };
}
