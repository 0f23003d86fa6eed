import { ApiError, errorResponses, notFound, Timestamp } from '@batchyard/core';
import type { PrismaClient } from '@batchyard/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthConfig } from './config.js';
import { OidcLogin } from './login.js';
import type { AuthServices } from './plugin.js';
import { ROLES } from './roles.js';
import { SESSION_COOKIE, SessionService } from './sessions.js';

const tags = ['security'];

export const ApiTokenName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, . _ -; at most 100')
  .describe('A name for the token (who or what uses it)');

const ApiTokenSchema = z
  .object({
    name: z.string(),
    roles: z.array(z.enum(ROLES)),
    createdBy: z.string().nullable(),
    createdAt: Timestamp,
    expiresAt: Timestamp.nullable(),
    lastUsedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiToken' });

const CreateTokenBody = z
  .object({
    name: ApiTokenName,
    roles: z.array(z.enum(ROLES)).min(1).describe('SCDF roles the token grants'),
    expiresInDays: z.number().int().min(1).max(3650).optional().describe('Omitted: never expires'),
  })
  .strict();

const SessionSchema = z.object({
  principal: z.string(),
  roles: z.array(z.enum(ROLES)),
  csrfToken: z.string().describe('Send as the x-csrf-token header on every state-changing request'),
});

/** Only a local path: `/x?y`, never `//host` or `https://…` (no open redirect). */
const ReturnTo = z
  .string()
  .max(2048)
  .regex(/^\/(?![/\\])[^\s]*$/, 'a path on this server, starting with /')
  .default('/');

export function authRoutes(
  config: AuthConfig,
  services: AuthServices,
  prisma: PrismaClient,
): FastifyPluginAsyncZod {
  return async (app) => {
    const { tokens, oidc, sessions } = services.authenticators;

    app.post(
      '/auth/tokens',
      {
        config: { role: 'MANAGE' },
        schema: {
          tags,
          summary: 'Create an API token (its secret is shown once, in this response)',
          body: CreateTokenBody,
          response: { 201: ApiTokenSchema.extend({ token: z.string() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        if (!tokens) throw notEnabled();
        const expiresAt = req.body.expiresInDays
          ? new Date(Date.now() + req.body.expiresInDays * 86_400_000)
          : null;
        const created = await tokens.create({ ...req.body, expiresAt }, req.principal.name);
        return reply.status(201).header('cache-control', 'no-store').send(created);
      },
    );

    app.get(
      '/auth/tokens',
      {
        config: { role: 'MANAGE' },
        schema: {
          tags,
          summary: 'List API tokens (never their secrets)',
          response: { 200: z.array(ApiTokenSchema) },
        },
      },
      async () => (tokens ? tokens.list() : []),
    );

    app.delete(
      '/auth/tokens/:name',
      {
        config: { role: 'MANAGE' },
        schema: {
          tags,
          summary: 'Revoke an API token',
          params: z.object({ name: ApiTokenName }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        if (!tokens) throw notFound('API token', req.params.name);
        await tokens.revoke(req.params.name);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/auth/session',
      {
        config: { role: 'PUBLIC' },
        schema: {
          tags,
          summary: "The dashboard session's principal, roles and CSRF token",
          response: { 200: SessionSchema, 401: errorResponses[400] },
        },
      },
      async (req, reply) => {
        const cookie = req.cookies[SESSION_COOKIE];
        if (req.principal.kind !== 'session' || !cookie) {
          return reply.status(401).send({ error: 'UNAUTHENTICATED', message: 'no session', details: [] });
        }
        return {
          principal: req.principal.name,
          roles: [...req.principal.roles],
          csrfToken: SessionService.csrfToken(cookie),
        };
      },
    );

    if (!oidc || !sessions || !config.oidc?.clientId) return;
    const login = new OidcLogin(app.log, prisma, oidc, sessions, config);

    app.get(
      '/auth/login',
      {
        config: { role: 'PUBLIC' },
        schema: {
          tags,
          summary: 'Start the dashboard login (OIDC authorization code with PKCE)',
          querystring: z.object({ returnTo: ReturnTo }),
        },
      },
      async (req, reply) => reply.redirect(await login.start(callbackUrl(req), req.query.returnTo)),
    );

    app.get(
      '/auth/callback',
      {
        config: { role: 'PUBLIC' },
        schema: {
          tags,
          summary: "The OpenID provider's redirect back: sets the session cookie",
          querystring: z.object({
            code: z.string().max(4096).optional(),
            state: z.string().max(512).optional(),
            error: z.string().max(512).optional(),
            error_description: z.string().max(2048).optional(),
          }),
        },
      },
      async (req, reply) => {
        const { code, state, error, error_description: description } = req.query;
        if (error)
          throw new ApiError('UNAUTHENTICATED', `login refused by the provider: ${description ?? error}`);
        if (!code || !state)
          throw new ApiError('VALIDATION_FAILED', 'query.code and query.state are required');
        const session = await login.finish(callbackUrl(req), code, state);
        reply.setCookie(SESSION_COOKIE, session.cookie, {
          httpOnly: true,
          sameSite: 'lax',
          secure: config.session.secureCookie && req.protocol === 'https',
          path: '/',
          expires: session.expiresAt,
        });
        return reply.redirect(session.returnTo);
      },
    );

    app.post(
      '/auth/logout',
      {
        config: { role: 'PUBLIC' },
        schema: { tags, summary: 'End the dashboard session', response: { 204: z.null() } },
      },
      async (req, reply) => {
        const cookie = req.cookies[SESSION_COOKIE];
        if (cookie) await sessions.destroy(cookie);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );
  };
}

function callbackUrl(req: { protocol: string; host: string }): string {
  return `${req.protocol}://${req.host}/auth/callback`;
}

const notEnabled = () =>
  new ApiError(
    'CONFLICT',
    'API tokens are not enabled: set auth.tokens.enabled=true (BATCHYARD_AUTH_TOKENS_ENABLED)',
  );
