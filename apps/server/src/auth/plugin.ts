import { ErrorBodySchema } from '@batchyard/core';
import { audit, type PrismaClient } from '@batchyard/db';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ApiTokenService } from './api-tokens.js';
import { type AuthConfig, authenticationConfigured } from './config.js';
import { AuthError } from './errors.js';
import { OidcVerifier, type OidcVerifierOptions } from './oidc.js';
import { type Principal, UNAUTHENTICATED_LOCAL } from './principal.js';
import { crossSiteRefusal, hostAllowed, isLoopbackListen, isStateChanging } from './request-guards.js';
import { type Authenticators, CredentialResolver } from './resolver.js';
import type { RouteAccess } from './roles.js';
import { CSRF_HEADER, SESSION_COOKIE, SessionService } from './sessions.js';
import { TaskTokens } from './task-tokens.js';
import { type ReviewToken, TokenReviewAuthenticator } from './token-review.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, resolved by the auth plugin before any handler runs. */
    principal: Principal;
  }
}

export interface AuthDeps {
  config: AuthConfig;
  /** The address the server listens on: off loopback, authentication is required. */
  listenHost: string;
  prisma: PrismaClient;
  logger: Logger;
  /** TokenReview against the cluster (built from the configured account), when Kubernetes auth is on. */
  review?: ReviewToken;
  oidcOptions?: OidcVerifierOptions;
}

/** What the auth plugin makes available to routes (tokens API, login routes, /about). */
export interface AuthServices {
  enabled: boolean;
  methods: string[];
  authenticators: Authenticators;
  /** `METHOD /url` → the access it declared (undefined: none, so refused), for tests and docs. */
  routes: ReadonlyMap<string, RouteAccess | undefined>;
}

export class InsecureListenError extends Error {
  override readonly name = 'InsecureListenError';
}

/** Refuses an open API off loopback: anyone reaching the port could run commands in the cluster. */
export function assertSafeListen(config: AuthConfig, host: string, logger: Logger): void {
  if (config.disabled) {
    logger.warn(
      { host },
      'authentication is DISABLED (auth.disabled=true): every caller may register and launch anything',
    );
    return;
  }
  if (authenticationConfigured(config) || isLoopbackListen(host)) return;
  throw new InsecureListenError(
    `refusing to listen on ${host} without authentication: anyone who reaches the port could launch ` +
      'containers and commands. Configure one method (BATCHYARD_AUTH_TOKENS_ENABLED=true, auth.oidc, ' +
      'auth.kubernetes), listen on 127.0.0.1, or set BATCHYARD_AUTH_DISABLED=true to run open on purpose.',
  );
}

const DOCS_PREFIX = '/docs';

/** Where a route declared its access; swagger-ui's own routes are the API explorer (public). */
function accessOf(route: { url: string; config?: { role?: RouteAccess } }): RouteAccess | undefined {
  if (route.url === DOCS_PREFIX || route.url.startsWith(`${DOCS_PREFIX}/`) || route.url === '/openapi.json') {
    return 'PUBLIC';
  }
  return route.config?.role;
}

function send(reply: FastifyReply, err: AuthError): FastifyReply {
  if (err.status === 401) reply.header('www-authenticate', 'Bearer realm="batchyard"');
  return reply.status(err.status).send(err.toBody());
}

/**
 * The edge: every request is checked for its Host, resolved to a principal (API token, OIDC JWT,
 * Kubernetes ServiceAccount token, dashboard session — or, with authentication off on loopback,
 * the local anonymous caller with every role) and checked against the role its route declares.
 * A route that declares none is refused: access is denied by default.
 */
export async function registerAuth(app: FastifyInstance, deps: AuthDeps): Promise<AuthServices> {
  const cfg = deps.config;
  if (!cfg.disabled) assertSafeListen(cfg, deps.listenHost, deps.logger); // startServer warned already
  const enabled = !cfg.disabled && authenticationConfigured(cfg);
  const authenticators: Authenticators = { tasks: new TaskTokens(deps.prisma) };
  if (cfg.tokens.enabled) authenticators.tokens = new ApiTokenService(deps.prisma);
  if (cfg.oidc) {
    authenticators.oidc = new OidcVerifier(cfg.oidc, deps.oidcOptions);
    if (cfg.oidc.clientId) authenticators.sessions = new SessionService(deps.prisma, cfg.session.ttlSeconds);
  }
  if (cfg.kubernetes) {
    if (!deps.review) throw new Error('auth.kubernetes is configured but no cluster can review tokens');
    authenticators.kubernetes = new TokenReviewAuthenticator(cfg.kubernetes, deps.review);
  }
  const resolver = new CredentialResolver(authenticators);
  const publicWhenConfigured = new Set([
    ...(cfg.metricsPublic ? ['/metrics'] : []),
    ...(cfg.aboutPublic ? ['/about'] : []),
  ]);

  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    // The API is called by scripts on other hosts; only browsers' embedding is restricted.
    crossOriginResourcePolicy: false,
  });
  if (cfg.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...cfg.corsOrigins],
      credentials: false,
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
    });
  }
  app.decorateRequest('principal', null as unknown as Principal);

  const routes = new Map<string, RouteAccess | undefined>();
  app.addHook('onRoute', (route) => {
    const declared = accessOf(route);
    for (const method of [route.method].flat()) routes.set(`${method} ${route.url}`, declared);
    if (declared !== 'PUBLIC' && route.schema?.response && typeof route.schema.response === 'object') {
      const responses = route.schema.response as Record<string, unknown>;
      responses[401] ??= ErrorBodySchema;
      responses[403] ??= ErrorBodySchema;
    }
    route.config = { ...route.config, role: declared };
  });

  // Every request runs in an audit scope: records written while serving it name the caller.
  app.addHook('onRequest', (req, _reply, done) => {
    audit.auditScope.run({ principal: 'anonymous', requestId: req.id, recorded: false }, done);
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!hostAllowed(req.headers.host, cfg.allowedHosts)) {
      return send(
        reply,
        new AuthError(
          'FORBIDDEN',
          `Host '${req.headers.host}' is not a name this server answers to (add it to auth.allowedHosts)`,
        ),
      );
    }
    const routeUrl = req.routeOptions.url;
    if (routeUrl === undefined) return; // 404: nothing to protect
    const declared = accessOf({ url: routeUrl, config: req.routeOptions.config });
    const isPublic = declared === 'PUBLIC' || publicWhenConfigured.has(routeUrl);
    let principal: Principal = UNAUTHENTICATED_LOCAL;
    try {
      if (enabled) principal = await authenticate(req, resolver, cfg.corsOrigins, isPublic);
      else checkCrossSite(req, cfg.corsOrigins);
    } catch (err) {
      if (err instanceof AuthError) return send(reply, err);
      throw err;
    }
    req.principal = principal;
    const caller = audit.auditScope.getStore();
    if (caller) caller.principal = principal.name;
    if (isPublic) return;
    if (declared === undefined) {
      req.log.error({ route: routeUrl }, 'route declares no role: refused');
      return send(
        reply,
        new AuthError('FORBIDDEN', `${req.method} ${routeUrl} declares no role and is refused`),
      );
    }
    // A task acts for its own execution, on the routes that allow tasks; a task token for nothing else.
    const ownExecution =
      principal.executionId !== undefined &&
      req.routeOptions.config.task === true &&
      Number((req.params as Record<string, unknown> | undefined)?.id) === principal.executionId;
    if (ownExecution) return;
    if (principal.kind === 'task') {
      return send(
        reply,
        new AuthError(
          'FORBIDDEN',
          `${principal.name} may only launch and read the partitions of its own execution, not ${req.method} ${req.url.split('?')[0]}`,
        ),
      );
    }
    if (!principal.roles.has(declared)) {
      const refusal = enabled && principal.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
      return send(
        reply,
        new AuthError(
          refusal,
          refusal === 'UNAUTHENTICATED'
            ? `${req.method} ${routeUrl} needs a credential with role ${declared}`
            : `${principal.name} lacks role ${declared}, which ${req.method} ${routeUrl} needs`,
        ),
      );
    }
  });

  // Every state-changing request leaves an audit record: the service's own (in its transaction),
  // or this one; a refused or failed one always gets a FAILURE record.
  app.addHook('onResponse', async (req, reply) => {
    if (!isStateChanging(req.method) || req.routeOptions.url === undefined) return;
    const caller = audit.auditScope.getStore();
    const failed = reply.statusCode >= 400;
    if (!failed && caller?.recorded) return;
    if (req.routeOptions.config.readOnly && reply.statusCode !== 401 && reply.statusCode !== 403) return;
    const params = req.params as Record<string, unknown> | undefined;
    const target =
      params && Object.keys(params).length > 0 ? Object.values(params).map(String).join('/') : '-';
    await audit
      .recordAudit(deps.prisma, {
        operation: 'HTTP',
        action: `${req.method} ${req.routeOptions.url}`.slice(0, 64),
        correlationId: target.slice(0, 255),
        outcome: failed ? 'FAILURE' : 'SUCCESS',
        data: { status: reply.statusCode },
      })
      .catch((err: unknown) => req.log.error({ err }, 'audit record could not be written'));
  });

  const methods = [
    ...(authenticators.tokens ? ['token'] : []),
    ...(authenticators.oidc ? ['oidc'] : []),
    ...(authenticators.kubernetes ? ['kubernetes'] : []),
    ...(authenticators.sessions ? ['session'] : []),
  ];
  return { enabled, methods, authenticators, routes };
}

function checkCrossSite(req: FastifyRequest, corsOrigins: readonly string[]): void {
  if (!isStateChanging(req.method) || req.headers.authorization !== undefined) return;
  const refusal = crossSiteRefusal(req.headers, req.headers.host, corsOrigins);
  if (refusal) throw new AuthError('FORBIDDEN', refusal);
}

async function authenticate(
  req: FastifyRequest,
  resolver: CredentialResolver,
  corsOrigins: readonly string[],
  isPublic: boolean,
): Promise<Principal> {
  let presented: Awaited<ReturnType<CredentialResolver['resolve']>>;
  try {
    presented = await resolver.resolve(req.headers.authorization, req.cookies[SESSION_COOKIE]);
  } catch (err) {
    // On a public route a bad credential just leaves the caller anonymous.
    if (isPublic && err instanceof AuthError) return { ...UNAUTHENTICATED_LOCAL, roles: new Set() };
    throw err;
  }
  if (presented.via === 'bearer') return presented.principal;
  checkCrossSite(req, corsOrigins);
  if (presented.via === 'cookie') {
    if (
      isStateChanging(req.method) &&
      !SessionService.csrfMatches(presented.cookie, headerValue(req, CSRF_HEADER))
    ) {
      throw new AuthError(
        'FORBIDDEN',
        `a request made with the session cookie needs the ${CSRF_HEADER} header`,
      );
    }
    return presented.principal;
  }
  return { ...UNAUTHENTICATED_LOCAL, roles: new Set() };
}

function headerValue(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}
