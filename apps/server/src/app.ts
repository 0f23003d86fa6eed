import { dirname, join, resolve } from 'node:path';
import { setSecretKeyPattern } from '@batchyard/core';
import type { PrismaClient } from '@batchyard/db';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { auditRoutes } from './audit/routes.js';
import { authRoutes } from './auth/auth-routes.js';
import { kubernetesReviewFor } from './auth/kubernetes-review.js';
import type { OidcVerifierOptions } from './auth/oidc.js';
import { type AuthServices, registerAuth } from './auth/plugin.js';
import type { ReviewToken } from './auth/token-review.js';
import type { Config } from './config.js';
import { ControlPlane } from './control-plane.js';
import { eventRoutes } from './dashboard/events-routes.js';
import { dashboardRoutes } from './dashboard/static-routes.js';
import type { EmbeddedDatabaseState } from './database/embedded-supervisor.js';
import { launchPreviewRoutes } from './launch-preview/routes.js';
import { createLeadership } from './leader/create.js';
import type { Leadership } from './leader/elector.js';
import { registerMetrics } from './metrics/index.js';
import { registerPartitions } from './partitions/register.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerOpenApi } from './plugins/openapi.js';
import { RequestLog } from './plugins/request-log.js';
import { registerStorableStrings } from './plugins/storable-strings.js';
import { registerRetention, registerRetentionMetrics } from './retention/register.js';
import { appRoutes } from './routes/apps.js';
import { composedRoutes } from './routes/composed.js';
import { definitionRoutes } from './routes/definitions.js';
import { executionEventRoutes } from './routes/execution-events.js';
import { executionRoutes } from './routes/executions.js';
import { jobRoutes } from './routes/jobs.js';
import { scdfRoutes } from './routes/scdf.js';
import { systemRoutes } from './routes/system.js';
import { thinExecutionRoutes } from './routes/thin-executions.js';
import { registerScdfForms } from './scdf/forms/plugin.js';
import { liftScdfCron } from './scdf/schedule-properties.js';
import { registerSchedules } from './schedules/register.js';
import { SecretSealer } from './secrets/sealer.js';
import { AppRegistryService } from './services/app-registry.js';
import { ExecutionEventsService } from './services/execution-events.js';
import { JobService } from './services/jobs.js';
import { TaskDefinitionService } from './services/task-definitions.js';
import { ImageLabelCache } from './spring/image-labels.js';

export interface AppDeps {
  config: Readonly<Config>;
  prisma: PrismaClient;
  /** URL of the database in use (for readiness checks; never logged). */
  databaseUrl: string;
  embeddedDatabase: boolean;
  /** The embedded database's supervisor state: /health/ready is DOWN while it restarts. */
  embeddedDatabaseState?: () => EmbeddedDatabaseState;
  logger: Logger;
  /** Start the reconciler and queue dispatcher with the app (default true). */
  controlLoops?: boolean;
  /** TokenReview for auth.kubernetes; default: against the configured account's cluster. */
  review?: ReviewToken;
  /** OIDC verifier tuning (tests shorten the JWKS refetch cooldown). */
  oidcOptions?: OidcVerifierOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    controlPlane: ControlPlane;
    auth: AuthServices;
    leadership: Leadership;
  }
}

/** Builds the HTTP application without listening: tests use it on a real port or with inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.server.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    // One line per request instead of two: plugins/request-log.ts.
    logController: new RequestLog(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  registerStorableStrings(app);
  const auth = await registerAuth(app, {
    config: deps.config.auth,
    listenHost: deps.config.server.host,
    prisma: deps.prisma,
    logger: deps.logger,
    review: deps.review ?? kubernetesReviewFor(deps.config),
    oidcOptions: deps.oidcOptions,
  });
  app.decorate('auth', auth);
  // SCDF's `scheduler.cron.expression` property becomes the schedule's `cron` before validation.
  app.addHook('preValidation', async (req) => {
    const url = req.routeOptions.url;
    if (
      (req.method === 'POST' && url === '/tasks/schedules') ||
      (req.method === 'PUT' && url === '/tasks/schedules/:name')
    ) {
      req.body = liftScdfCron(req.body);
    }
  });
  await registerScdfForms(app);
  await registerOpenApi(app);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  setSecretKeyPattern(deps.config.redaction.secretKeys);
  const sealer = SecretSealer.create({
    key: deps.config.redaction.encryptionKey,
    // The embedded database's key lives beside its data directory; an external one needs a configured key.
    keyFile: deps.embeddedDatabase
      ? join(dirname(resolve(deps.config.database.embedded.dir)), 'secret.key')
      : undefined,
  });
  const localAccount = deps.config.platforms.find((p) => p.type === 'local');
  const registry = new AppRegistryService(
    deps.prisma,
    localAccount?.type === 'local' ? localAccount.mavenLocalRepository : undefined,
    deps.config.apps.readImageLabels ? new ImageLabelCache() : undefined,
  );
  const definitions = new TaskDefinitionService(deps.prisma, sealer);
  // Every replica serves the API; the singleton loops run on the leader only.
  const leadership = createLeadership(deps.config, deps.prisma, deps.logger);
  app.decorate('leadership', leadership);
  await app.register(systemRoutes({ ...deps, auth, leadership: leadership.state }));
  await app.register(authRoutes(deps.config.auth, auth, deps.prisma));
  await app.register(auditRoutes(deps.prisma));
  await app.register(appRoutes(registry));

  const controlPlane = await ControlPlane.create({ ...deps, sealer });
  app.decorate('controlPlane', controlPlane);
  leadership.add(controlPlane.loops(leadership.fence));
  await app.register(executionRoutes(controlPlane.launcher, controlPlane.executions));
  await app.register(launchPreviewRoutes(deps.prisma, controlPlane.launcher));
  await registerPartitions(app, controlPlane, deps);
  await app.register(executionEventRoutes(new ExecutionEventsService(deps.prisma, controlPlane.platforms)));
  // Further capabilities register their routes here (schedules, composed tasks, jobs, metrics).
  definitions.schedules = await registerSchedules(app, deps, controlPlane, leadership);
  await app.register(
    definitionRoutes(definitions, async (names) => {
      for (const task of names) {
        await controlPlane.executions.cleanupMatching({ task }, new Set(['CLEANUP', 'REMOVE_DATA']));
      }
    }),
  );
  await app.register(composedRoutes(deps, controlPlane, leadership));
  const retention = await registerRetention(app, deps, leadership);
  const jobs = new JobService(deps.prisma, controlPlane.launcher);
  await app.register(jobRoutes(jobs));
  await app.register(scdfRoutes(deps.prisma, controlPlane));
  await app.register(thinExecutionRoutes(deps.prisma, jobs));
  await app.register(eventRoutes(controlPlane, jobs));
  await app.register(dashboardRoutes());
  registerRetentionMetrics(registerMetrics(app, deps.prisma, controlPlane), retention);
  if (deps.controlLoops !== false) {
    app.addHook('onReady', async () => {
      await controlPlane.start();
      await leadership.start();
    });
  }
  app.addHook('onClose', async () => {
    await leadership.stop();
    await controlPlane.stop();
  });
  return app;
}
