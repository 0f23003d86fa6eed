import {
  ExecutionIdParams,
  errorResponses,
  LaunchPartitionsBody,
  PartitionList,
  PartitionsQuery,
  TaskExecutionSchema,
} from '@batchyard/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PartitionService } from './service.js';

const tags = ['tasks'];

/**
 * Remote partitions of a task execution. Each route may also be called with the execution's own
 * task token (`task: true`), for that execution only: that is how a manager step calls them.
 */
export function partitionRoutes(service: PartitionService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/tasks/executions/:id/partitions',
      {
        config: { role: 'DEPLOY', task: true },
        schema: {
          tags,
          summary: 'Launch one child execution per partition step execution (idempotent per partition)',
          description:
            "Each child runs the parent's task with the same arguments plus `--partition-step-execution=<id>` " +
            "and the parent's properties, `deployer.<app>.partition.*` over `deployer.<app>.*`; it is queued " +
            'like any launch when the account is at capacity. A partition already launched is answered, not launched again.',
          params: ExecutionIdParams,
          body: LaunchPartitionsBody,
          response: { 201: PartitionList, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await service.launch(req.params.id, req.body)),
    );

    app.get(
      '/tasks/executions/:id/partitions',
      {
        config: { role: 'VIEW', task: true },
        schema: {
          tags,
          summary: 'The partitions of an execution; wait=N long-polls until all are done (at most N seconds)',
          params: ExecutionIdParams,
          querystring: PartitionsQuery,
          response: { 200: PartitionList, ...errorResponses },
        },
      },
      async (req) => {
        const abort = new AbortController();
        req.raw.once('close', () => abort.abort());
        return service.wait(req.params.id, req.query.wait, abort.signal);
      },
    );

    app.post(
      '/tasks/executions/:id/partitions/stop',
      {
        config: { role: 'DEPLOY', task: true },
        schema: {
          tags,
          summary: 'Stop every partition of an execution that is still running',
          params: ExecutionIdParams,
          response: { 200: z.array(TaskExecutionSchema), ...errorResponses },
        },
      },
      async (req) => service.stop(req.params.id),
    );
  };
}
