import {
  BatchStatusSchema,
  badCursor,
  decodeCursor,
  encodeCursor,
  errorResponses,
  ListExecutionsQuery,
  ListJobExecutionsQuery,
  pageOf,
  Timestamp,
} from '@batchyard/core';
import { executions, type PrismaClient } from '@batchyard/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { JobService } from '../services/jobs.js';

// SCDF's thin execution list: the list columns only (no arguments, properties, manifest, log tail
// or job ids), keyset-paged newest first, so a page costs one index range scan at any table size.

const ThinTaskExecution = z
  .object({
    executionId: z.number().int(),
    taskName: z.string(),
    status: z.string(),
    parentExecutionId: z.number().int().nullable(),
    exitCode: z.number().int().nullable(),
    exitMessage: z.string().nullable(),
    errorMessage: z.string().nullable(),
    externalExecutionId: z.string().nullable(),
    platformName: z.string().nullable(),
    startTime: Timestamp.nullable(),
    endTime: Timestamp.nullable(),
  })
  .meta({ id: 'ThinTaskExecution' });

const ThinPage = pageOf(ThinTaskExecution).meta({ id: 'ThinTaskExecutionPage' });

const ThinJobExecution = z
  .object({
    executionId: z.number().int(),
    name: z.string(),
    instanceId: z.number().int(),
    taskExecutionId: z.number().int().nullable(),
    status: BatchStatusSchema,
    exitCode: z.string(),
    startTime: Timestamp.nullable(),
    endTime: Timestamp.nullable(),
    stepExecutionCount: z.number().int(),
    restartable: z.boolean(),
    stoppable: z.boolean(),
    abandonable: z.boolean(),
  })
  .meta({ id: 'ThinJobExecution' });
const ThinJobPage = pageOf(ThinJobExecution).meta({ id: 'ThinJobExecutionPage' });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function thinExecutionRoutes(prisma: PrismaClient, jobs: JobService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/jobs/thinexecutions',
      {
        config: { role: 'VIEW' },
        schema: {
          tags: ['jobs'],
          summary:
            'Job executions, SCDF thin columns, newest first (same filters and paging as /jobs/executions)',
          querystring: ListJobExecutionsQuery,
          response: { 200: ThinJobPage, ...errorResponses },
        },
      },
      async (req) => {
        // Through the job service and its repository functions: the job tables are moving to
        // Spring Batch's BATCH_* schema, and this view must follow without its own SQL.
        const page = await jobs.list(req.query);
        return {
          page: page.page,
          items: page.items.map((e) => ({
            executionId: e.id,
            name: e.jobName,
            instanceId: e.jobInstanceId,
            taskExecutionId: e.taskExecutionId,
            status: e.status,
            exitCode: e.exitCode,
            startTime: e.startTime,
            endTime: e.endTime,
            stepExecutionCount: e.stepExecutionCount,
            restartable: e.restartable,
            stoppable: e.stoppable,
            abandonable: e.abandonable,
          })),
        };
      },
    );

    app.get(
      '/tasks/thinexecutions',
      {
        config: { role: 'VIEW' },
        schema: {
          tags: ['tasks'],
          summary: 'Task executions, list columns only, newest first (keyset paging; SCDF thin executions)',
          querystring: ListExecutionsQuery,
          response: { 200: ThinPage, ...errorResponses },
        },
      },
      async (req) => {
        const q = req.query;
        const before = q.cursor ? decodeCursor(q.cursor) : undefined;
        if (q.cursor && (!before || typeof before[0] !== 'number')) throw badCursor();
        const filter = {
          taskName: q.task,
          status: q.status,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
          parentExecutionId: q.parent,
        };
        const rows = await executions.listThinExecutions(
          prisma,
          filter,
          q.size + 1,
          before?.[0] as number | undefined,
        );
        const items = rows.slice(0, q.size);
        const last = items.at(-1);
        return {
          items: items.map((r) => ({
            executionId: r.id,
            taskName: r.taskName,
            status: r.status,
            parentExecutionId: r.parentExecutionId,
            exitCode: r.exitCode,
            exitMessage: r.exitMessage,
            errorMessage: r.errorMessage,
            externalExecutionId: r.externalExecutionId,
            platformName: r.platformName,
            startTime: iso(r.startTime),
            endTime: iso(r.endTime),
          })),
          page: {
            size: q.size,
            next: rows.length > q.size && last ? encodeCursor([last.id]) : null,
            ...(q.total ? { total: await executions.countExecutions(prisma, filter) } : {}),
          },
        };
      },
    );
  };
}
