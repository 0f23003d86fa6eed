import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { VERSION } from '../version.js';

/** OpenAPI generated from the same zod schemas that validate requests; explorer at /docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Batchyard API',
        description:
          'Kubernetes-native control plane for batch work: apps, task definitions, executions, schedules, jobs.',
        version: VERSION,
        license: { name: 'Apache-2.0' },
      },
      tags: [
        { name: 'apps', description: 'App registry' },
        { name: 'tasks', description: 'Task definitions and executions' },
        { name: 'retention', description: 'Retention policies, dry run and runs' },
        { name: 'system', description: 'Health, about, metrics' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { role: 'PUBLIC' }, schema: { hide: true } }, async () => app.swagger());
}
