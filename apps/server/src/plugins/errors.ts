import { ApiError, type ErrorBody, type ErrorDetail } from '@batchyard/core';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { databaseUnavailableReply } from './database-unavailable.js';

/**
 * One error body for everything: `{error, message, details: [{path, message}]}`. Client mistakes
 * get a 4xx naming the field; a 5xx never shows its internal message to the client.
 */

function validationDetails(err: { validation: { instancePath: string; message?: string }[] }, where: string) {
  return err.validation.map((v): ErrorDetail => {
    const field = v.instancePath.split('/').filter(Boolean).join('.');
    return { path: field ? `${where}.${field}` : where, message: v.message ?? 'is invalid' };
  });
}

function fastifyClientError(err: FastifyError): ErrorBody | undefined {
  const status = err.statusCode ?? 500;
  if (status >= 500) return undefined;
  const code =
    status === 413
      ? 'PAYLOAD_TOO_LARGE'
      : status === 415
        ? 'UNSUPPORTED_MEDIA_TYPE'
        : status === 404
          ? 'NOT_FOUND'
          : 'VALIDATION_FAILED';
  const path =
    err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code?.startsWith('FST_ERR_CTP') ? 'body' : '';
  return { error: code, message: err.message, details: path ? [{ path, message: err.message }] : [] };
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ApiError) {
      return reply.status(err.status).send(err.toBody());
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      // Fastify calls the query string 'querystring'; error paths say 'query', as the docs do.
      const where = err.validationContext === 'querystring' ? 'query' : (err.validationContext ?? 'body');
      const details = validationDetails(err, where);
      const body: ErrorBody = {
        error: 'VALIDATION_FAILED',
        message: details.map((d) => `${d.path}: ${d.message}`).join('; '),
        details,
      };
      return reply.status(400).send(body);
    }
    const unavailable = databaseUnavailableReply(err, request);
    if (unavailable)
      return reply.status(503).header('retry-after', unavailable.retryAfter).send(unavailable.body);
    if (isResponseSerializationError(err)) {
      request.log.error({ err, issues: err.cause.issues }, 'response does not match its schema');
    } else {
      const client = fastifyClientError(err);
      if (client) return reply.status(err.statusCode ?? 400).send(client);
      request.log.error({ err }, 'request failed');
    }
    const body: ErrorBody = {
      error: 'INTERNAL',
      message: `internal error (request ${request.id}); the server log has the details`,
      details: [],
    };
    return reply.status(500).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
      details: [],
    };
    return reply.status(404).send(body);
  });
}
