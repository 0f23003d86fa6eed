import {
  ApiError,
  DefinitionParams,
  DefinitionRetentionSchema,
  errorResponses,
  notFound,
  RetentionOverride,
  RetentionPreviewQuery,
  RetentionPreviewSchema,
  RetentionRunSchema,
} from '@batchyard/core';
import { type PrismaClient, retention as repo } from '@batchyard/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RetentionLoop } from './loop.js';
import { policyJson, readOverride } from './policy.js';
import type { RetentionService } from './service.js';

const tags = ['retention'];

/**
 * Retention's API. Everything here decides what history is destroyed, so every route needs
 * DESTROY (the dry run too: it lists what a destroy would take).
 */
export function retentionRoutes(
  db: PrismaClient,
  service: RetentionService,
  loop: RetentionLoop,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/tasks/retention/preview',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary: 'Dry run: what retention would delete now, per task (counts, oldest, newest, sample ids)',
          querystring: RetentionPreviewQuery,
          response: { 200: RetentionPreviewSchema, ...errorResponses },
        },
      },
      async (req) => {
        const now = new Date();
        const tasks = await service.preview(now, req.query.sample, req.query.task);
        return {
          generatedAt: now.toISOString(),
          default: policyJson(service.defaults),
          tasks: tasks.map((t) => ({ ...t, policy: policyJson(t.policy) })),
          totals: {
            executions: tasks.reduce((n, t) => n + t.executions, 0),
            jobExecutions: tasks.reduce((n, t) => n + t.jobExecutions, 0),
          },
        };
      },
    );

    app.post(
      '/tasks/retention/run',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary: 'Apply retention now, on the leader (409 on a replica that does not lead)',
          response: { 200: RetentionRunSchema, ...errorResponses },
        },
      },
      async () => {
        if (!loop.leading)
          throw new ApiError('CONFLICT', 'retention runs on the leader; this replica does not lead');
        const summary = await loop.runNow();
        if (!summary) throw new ApiError('CONFLICT', 'this replica stopped leading');
        return summary;
      },
    );

    app.get(
      '/tasks/definitions/:name/retention',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: "A task definition's retention override and the policy in effect",
          params: DefinitionParams,
          response: { 200: DefinitionRetentionSchema, ...errorResponses },
        },
      },
      async (req) => show(req.params.name),
    );

    app.put(
      '/tasks/definitions/:name/retention',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary:
            "Set a task definition's retention override (a key left out inherits the default, null lifts it)",
          params: DefinitionParams,
          body: RetentionOverride,
          response: { 200: DefinitionRetentionSchema, ...errorResponses },
        },
      },
      async (req) => {
        if (!(await repo.setOverride(db, req.params.name, req.body)))
          throw notFound('task definition', req.params.name);
        return show(req.params.name);
      },
    );

    app.delete(
      '/tasks/definitions/:name/retention',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary: "Remove a task definition's retention override (the default applies again)",
          params: DefinitionParams,
          response: { 200: DefinitionRetentionSchema, ...errorResponses },
        },
      },
      async (req) => {
        if (!(await repo.setOverride(db, req.params.name, null)))
          throw notFound('task definition', req.params.name);
        return show(req.params.name);
      },
    );

    async function show(name: string) {
      const p = await service.policyOf(name);
      if (!p) throw notFound('task definition', name);
      return { name, override: readOverride(p.own) ?? null, effective: policyJson(p.effective) };
    }
  };
}
