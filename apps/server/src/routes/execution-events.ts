import { ExecutionEventList, ExecutionIdParams, errorResponses } from '@batchyard/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ExecutionEventsService } from '../services/execution-events.js';

export function executionEventRoutes(service: ExecutionEventsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/tasks/executions/:id/events',
      {
        config: { role: 'VIEW' },
        schema: {
          tags: ['tasks'],
          summary:
            "The platform's events about the execution (Kubernetes: its Job's and pods'), oldest first",
          params: ExecutionIdParams,
          response: { 200: ExecutionEventList, ...errorResponses },
        },
      },
      async (req) => service.list(req.params.id),
    );
  };
}
