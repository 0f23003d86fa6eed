import { errorResponses, LaunchBody, LaunchPreviewSchema } from '@batchyard/core';
import type { PrismaClient } from '@batchyard/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Launcher } from '../services/launcher.js';
import { previewLaunch } from './preview.js';

export function launchPreviewRoutes(db: PrismaClient, launcher: Launcher): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/tasks/executions/preview',
      {
        // The same role as a launch: the preview shows what the caller could start.
        config: { role: 'DEPLOY', readOnly: true },
        schema: {
          tags: ['tasks'],
          summary:
            'Dry run of a launch: the same body and checks, the manifest it would run; creates nothing',
          description:
            'Answers what `POST /tasks/executions` with this body would launch: the platform account, the app ' +
            'version, and the manifest it would record (the Kubernetes Job, or the local command), secrets ' +
            "masked by the one redaction rule, sealed values never shown. Refusals are the launch's own (400 " +
            'with `details[].path`). No execution, audit record or idempotency claim is created.',
          body: LaunchBody,
          response: { 200: LaunchPreviewSchema, ...errorResponses },
        },
      },
      async (req) => previewLaunch(db, launcher, req.body),
    );
  };
}
