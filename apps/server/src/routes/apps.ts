import {
  AppDetailSchema,
  AppNameParams,
  AppPage,
  AppParams,
  AppRegistrationSchema,
  AppType,
  errorResponses,
  ImportAppsBody,
  ImportAppsResult,
  ListAppsQuery,
  RegisterAppBody,
} from '@batchyard/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../auth/require-role.js';
import type { AppRegistryService } from '../services/app-registry.js';

const tags = ['apps'];

export function appRoutes(service: AppRegistryService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/apps/:type/:name/:version',
      {
        config: { role: 'CREATE' },
        schema: {
          tags,
          summary: 'Register an app version',
          params: AppParams,
          body: RegisterAppBody,
          response: { 201: AppRegistrationSchema, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { type, name, version } = req.params;
        // A local command runs on the server's own machine: that is an administrator's decision.
        if (req.body.command) requireRole(req, 'MANAGE', 'registering an app with a local command');
        return reply.status(201).send(await service.register(type, name, version, req.body));
      },
    );

    app.get(
      '/apps',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'List registered apps',
          querystring: ListAppsQuery,
          response: { 200: AppPage, ...errorResponses },
        },
      },
      async (req) => service.list(req.query),
    );

    app.get(
      '/apps/:type/:name',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Show an app (its default version) and all its versions',
          params: AppNameParams,
          response: { 200: AppDetailSchema, ...errorResponses },
        },
      },
      async (req) => service.get(req.params.type, req.params.name),
    );

    app.get(
      '/apps/:type/:name/:version',
      {
        config: { role: 'VIEW' },
        schema: {
          tags,
          summary: 'Show one app version',
          params: AppParams,
          response: { 200: AppRegistrationSchema, ...errorResponses },
        },
      },
      async (req) => service.getVersion(req.params.type, req.params.name, req.params.version),
    );

    app.put(
      '/apps/:type/:name/:version',
      {
        config: { role: 'MODIFY' },
        schema: {
          tags,
          summary: 'Make this version the default',
          params: AppParams,
          response: { 200: AppRegistrationSchema, ...errorResponses },
        },
      },
      async (req) => service.makeDefault(req.params.type, req.params.name, req.params.version),
    );

    app.delete(
      '/apps/:type/:name/:version',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary: 'Unregister one app version',
          params: AppParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await service.unregister(req.params.type, req.params.name, req.params.version);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/apps/:type/:name',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary: 'Unregister every version of an app',
          params: AppNameParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await service.unregister(req.params.type, req.params.name);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/apps',
      {
        config: { role: 'DESTROY' },
        schema: {
          tags,
          summary: 'Unregister all apps (optionally of one type)',
          querystring: z.object({ type: AppType.optional() }),
          response: { 200: z.object({ deleted: z.number().int() }), ...errorResponses },
        },
      },
      async (req) => ({ deleted: await service.unregisterAll(req.query.type) }),
    );

    app.post(
      '/apps/import',
      {
        config: { role: 'CREATE' },
        schema: {
          tags,
          summary: "Bulk import in SCDF's properties format",
          body: ImportAppsBody,
          response: { 200: ImportAppsResult, ...errorResponses },
        },
      },
      async (req) => service.importProperties(req.body.properties, req.body.force),
    );
  };
}
