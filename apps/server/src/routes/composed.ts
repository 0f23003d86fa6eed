import {
  ApiError,
  ConvertTaskGraphBody,
  ConvertTaskGraphResponse,
  ExecutionIdParams,
  errorResponses,
  nameProblem,
  notFound,
  ParseTaskTextBody,
  ParseTaskTextResponse,
  TASK_NAME_RULES,
  TaskExecutionSchema,
} from '@batchyard/core';
import { executions, type PrismaClient } from '@batchyard/db';
import {
  allApps,
  appId,
  childDefinitionName,
  DslError,
  type Graph,
  GraphError,
  graphToText,
  parseComposedTask,
  toGraph,
  validateComposedTask,
} from '@batchyard/dsl';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { composedLoop } from '../composed/loop.js';
import { ComposedOrchestrator } from '../composed/orchestrator.js';
import type { Config } from '../config.js';
import type { ControlPlane } from '../control-plane.js';
import { claimOf } from '../idempotency/claim.js';
import type { Leadership } from '../leader/elector.js';

export interface ComposedDeps {
  config: Readonly<Config>;
  prisma: PrismaClient;
  logger: Logger;
  controlLoops?: boolean;
}

const problem = (e: DslError) => ({
  message: e.message,
  position: e.position,
  line: e.line,
  column: e.column,
});

/**
 * SCDF's `/tools/parseTaskTextToGraph`: errors are data (200), as the graph editor expects. With
 * the task's name, a child whose definition name `<name>-<label>` would break the task-name rules
 * is reported at that app, as creating the definition would refuse it.
 */
export function parseTaskText(dsl: string, name?: string) {
  try {
    const task = parseComposedTask(dsl);
    const errors = validateComposedTask(task);
    if (name !== undefined) {
      for (const app of allApps(task)) {
        const problem = nameProblem(childDefinitionName(name, appId(app)), TASK_NAME_RULES);
        if (problem) {
          errors.push(
            new DslError('CHILD_NAME', `child task '${appId(app)}': ${problem}`, dsl, app.span.start),
          );
        }
      }
    }
    if (errors.length > 0) return { graph: null, errors: errors.map(problem) };
    return { graph: toGraph(task), errors: [] };
  } catch (err) {
    if (err instanceof DslError) return { graph: null, errors: [problem(err)] };
    throw err;
  }
}

/** SCDF's `/tools/convertTaskGraphToText`; a bad graph is a 400 naming the node or link. */
export function convertTaskGraph(graph: Graph): { dsl: string } {
  try {
    return { dsl: graphToText(graph) };
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    const node = err.nodeId === undefined ? -1 : graph.nodes.findIndex((n) => n.id === err.nodeId);
    const path =
      err.linkIndex !== undefined
        ? `body.graph.links.${err.linkIndex}`
        : node >= 0
          ? `body.graph.nodes.${node}`
          : 'body.graph';
    const at = err.nodeId !== undefined ? ` (node '${err.nodeId}')` : '';
    throw new ApiError('VALIDATION_FAILED', `${path}: ${err.message}${at}`, [
      { path, message: `${err.message}${at}` },
    ]);
  }
}

/**
 * Composed tasks: the graph tools, restart, and the orchestrator wired into the control plane
 * (composed launches, stop/relaunch of parents, advancing on every terminal child).
 */
export function composedRoutes(
  deps: ComposedDeps,
  plane: ControlPlane,
  leadership: Pick<Leadership, 'add' | 'fence'>,
): FastifyPluginAsyncZod {
  return async (app) => {
    const orchestrator = new ComposedOrchestrator(deps.prisma, plane.launcher, deps.logger, {
      maxConcurrentChildren: deps.config.composed.maxConcurrentChildren,
      checkPlatform: (name) => void plane.platforms.resolve(name),
      stopChildren: (ids) => plane.executions.stop(ids),
    });
    plane.launcher.composed = orchestrator;
    plane.executions.composed = orchestrator;
    plane.onTerminal((id) => orchestrator.onTerminal(id));
    leadership.add(
      composedLoop(orchestrator, deps.config.executions.resyncSeconds * 1000, deps.logger, leadership.fence),
    );

    const tags = ['composed tasks'];
    app.post(
      '/tools/parseTaskTextToGraph',
      {
        config: { role: 'VIEW', readOnly: true },
        schema: {
          tags,
          summary: 'Parse composed-task DSL into its graph (errors with line and column)',
          body: ParseTaskTextBody,
          response: { 200: ParseTaskTextResponse, ...errorResponses },
        },
      },
      async (req) => parseTaskText(req.body.dsl, req.body.name),
    );

    app.post(
      '/tools/convertTaskGraphToText',
      {
        config: { role: 'VIEW', readOnly: true },
        schema: {
          tags,
          summary: 'Convert a composed-task graph to DSL text',
          body: ConvertTaskGraphBody,
          response: { 200: ConvertTaskGraphResponse, ...errorResponses },
        },
      },
      async (req) => convertTaskGraph(req.body.graph),
    );

    app.post(
      '/tasks/executions/:id/restart',
      {
        config: { role: 'DEPLOY' },
        schema: {
          tags,
          summary: 'Restart a failed composed task at its failed child (same arguments and properties)',
          params: ExecutionIdParams,
          response: { 201: TaskExecutionSchema, ...errorResponses },
        },
      },
      async (req, reply) => {
        const row = await executions.findExecution(deps.prisma, req.params.id);
        if (!row) throw notFound('task execution', req.params.id);
        if (row.platformType !== 'composed') {
          throw new ApiError('CONFLICT', `execution ${row.id} is not a composed task; use relaunch`);
        }
        const restarted = await plane.launcher.launchOnce(claimOf(req), (idempotency) =>
          orchestrator.restart(row, idempotency),
        );
        return reply.status(201).send(restarted);
      },
    );
  };
}
