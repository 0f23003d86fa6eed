import { ApiError } from '@batchyard/core';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FORM_CONTENT_TYPE, formFields, formRouteOf } from './table.js';

// Form-encoded bodies on the SCDF-compatible routes (forms/table.ts) and nowhere else: the parser
// is registered once, every other route refuses the content type with a 415, and the form is turned
// into the route's JSON body before validation, so each route validates one shape.

/** Requests that came the SCDF way (a form, or the query on a bodiless launch). */
const scdfStyle = new WeakSet<FastifyRequest>();

/** Whether the request used SCDF's form (its response then takes SCDF's shape where they differ). */
export const isScdfForm = (req: FastifyRequest): boolean => scdfStyle.has(req);

const isForm = (req: FastifyRequest): boolean =>
  (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === FORM_CONTENT_TYPE;

export async function registerScdfForms(app: FastifyInstance): Promise<void> {
  await app.register(formbody, { bodyLimit: 1_048_576 });

  app.addHook('preParsing', async (req) => {
    if (isForm(req) && formRouteOf(req.method, req.routeOptions.url) === undefined) {
      const message = `${FORM_CONTENT_TYPE} is accepted only on SCDF's form routes; send application/json`;
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', message, [{ path: 'headers.content-type', message }]);
    }
  });

  app.addHook('preValidation', async (req) => {
    const route = formRouteOf(req.method, req.routeOptions.url);
    if (route === undefined) return;
    if (isForm(req)) {
      req.body = route.toBody(formFields(route, req.body, 'body'), 'body');
      scdfStyle.add(req);
    } else if (route.fromQuery && req.body === undefined) {
      const query = (req.query ?? {}) as Record<string, unknown>;
      if (query.name === undefined) return;
      req.body = route.toBody(formFields(route, query, 'query'), 'query');
      scdfStyle.add(req);
    }
  });
}
