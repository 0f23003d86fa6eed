import type { PrismaClient } from '@batchyard/db';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { ControlPlane } from './control-plane.js';
import { registerMetrics } from './metrics/index.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerOpenApi } from './plugins/openapi.js';
import { appRoutes } from './routes/apps.js';
import { composedRoutes } from './routes/composed.js';
import { definitionRoutes } from './routes/definitions.js';
import { executionRoutes } from './routes/executions.js';
import { jobRoutes } from './routes/jobs.js';
import { systemRoutes } from './routes/system.js';
import { registerSchedules } from './schedules/register.js';
import { AppRegistryService } from './services/app-registry.js';
import { JobService } from './services/jobs.js';
import { TaskDefinitionService } from './services/task-definitions.js';

export interface AppDeps {
  config: Readonly<Config>;
  prisma: PrismaClient;
  /** URL of the database in use (for readiness checks; never logged). */
  databaseUrl: string;
  embeddedDatabase: boolean;
  logger: Logger;
  /** Start the reconciler and queue dispatcher with the app (default true). */
  controlLoops?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    controlPlane: ControlPlane;
  }
}

/** Builds the HTTP application without listening: tests use it on a real port or with inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.server.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  await registerOpenApi(app);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  const registry = new AppRegistryService(deps.prisma);
  const definitions = new TaskDefinitionService(deps.prisma);
  await app.register(systemRoutes(deps));
  await app.register(appRoutes(registry));

  const controlPlane = await ControlPlane.create(deps);
  app.decorate('controlPlane', controlPlane);
  await app.register(executionRoutes(controlPlane.launcher, controlPlane.executions));
  // Further capabilities register their routes here (schedules, composed tasks, jobs, metrics).
  definitions.schedules = await registerSchedules(app, deps, controlPlane);
  await app.register(definitionRoutes(definitions));
  await app.register(composedRoutes(deps, controlPlane));
  await app.register(jobRoutes(new JobService(deps.prisma, controlPlane.launcher)));
  registerMetrics(app, deps.prisma, controlPlane);
  if (deps.controlLoops !== false) app.addHook('onReady', () => controlPlane.start());
  app.addHook('onClose', () => controlPlane.stop());
  return app;
}
