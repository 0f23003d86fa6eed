import { createPrismaClient } from '@batchyard/db';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/setup/database.js';
import { buildApp } from '../../src/app.js';
import { ApiTokenService } from '../../src/auth/api-tokens.js';
import { ROLES, type Role } from '../../src/auth/roles.js';
import { loadConfig } from '../../src/config.js';
import { startTestServer, type TestServer } from '../harness.js';

/**
 * Every operation of the OpenAPI document (plus /metrics and /about, made private here), over
 * real HTTP and a real database: no credential → 401; a credential holding every role but the
 * one the route declares → 403; a credential holding just that role → neither.
 */

/** The only routes anyone may call without a credential. */
const PUBLIC = new Set([
  'GET /health/live',
  'GET /health/ready',
  'GET /auth/session',
  'GET /openapi.json',
  // The dashboard's static files (its data comes from the API, with the API's roles).
  'GET /',
  'GET /ui',
  'GET /ui/*',
  'GET /assets/*',
]);

const SAMPLE_PARAMS: Record<string, string> = {
  id: '1',
  ids: '1',
  stepId: '1',
  name: 'nothing-here',
  type: 'task',
  version: '1.0',
  externalId: 'nothing-here',
};

describe('route × role matrix', () => {
  let s: TestServer;
  const only = new Map<Role, string>();
  const allBut = new Map<Role, string>();

  beforeAll(async () => {
    s = await startTestServer(
      {
        BATCHYARD_AUTH_TOKENS_ENABLED: 'true',
        BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
        BATCHYARD_REGISTER_SAMPLES: 'false',
      },
      { yaml: { auth: { metricsPublic: false, aboutPublic: false } } },
    );
    const tokens = new ApiTokenService(s.prisma);
    for (const role of ROLES) {
      only.set(role, (await tokens.create({ name: `only-${role}`, roles: [role] }, 'test')).token);
      const rest = ROLES.filter((r) => r !== role);
      allBut.set(role, (await tokens.create({ name: `all-but-${role}`, roles: rest }, 'test')).token);
    }
  });
  afterAll(() => s.close());

  it('declares a role on every route (a route without one fails here)', () => {
    const undeclared = [...s.app.auth.routes].filter(([, access]) => access === undefined).map(([k]) => k);
    expect(undeclared).toEqual([]);
    const publicRoutes = [...s.app.auth.routes]
      .filter(([key, access]) => access === 'PUBLIC' && !key.includes('/docs') && !key.startsWith('HEAD '))
      .map(([k]) => k);
    // Login routes are public only when a dashboard login is configured; none is here.
    expect(
      publicRoutes.filter((k) => !PUBLIC.has(k) && !k.startsWith('GET /auth/') && k !== 'POST /auth/logout'),
    ).toEqual([]);
  });

  it('answers 401 without a credential, 403 without the role, and neither with it', async () => {
    const doc = (await s.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json'))
      .body;
    const operations: [string, string][] = [];
    /** Operations answering an endless event stream: only their status is read, then the stream closed. */
    const streams = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        operations.push([method.toUpperCase(), path]);
        if (JSON.stringify(op).includes('"text/event-stream"'))
          streams.add(`${method.toUpperCase()} ${path}`);
      }
    }
    expect([...streams]).toEqual(['GET /events']);
    operations.push(['GET', '/metrics'], ['GET', '/about']);
    expect(operations.length).toBeGreaterThan(50);
    const rows: string[] = [];
    for (const [method, path] of operations) {
      const route = path.replace(/\{(\w+)\}/g, ':$1');
      const declared = s.app.auth.routes.get(`${method} ${route}`);
      expect(
        declared,
        `${method} ${route} is in the OpenAPI document but not known to the auth plugin`,
      ).toBeDefined();
      if (declared === 'PUBLIC') {
        expect(PUBLIC.has(`${method} ${route}`), `${method} ${route} is public`).toBe(true);
        continue;
      }
      const url = path.replace(/\{(\w+)\}/g, (_m, p: string) => SAMPLE_PARAMS[p] ?? 'x');
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const headers = (token?: string): Record<string, string> =>
        token ? { authorization: `Bearer ${token}` } : {};
      const call = async (token?: string) => {
        if (!streams.has(`${method} ${path}`))
          return s.request(method, url, body, headers(token)).then((r) => r.status);
        const abort = new AbortController();
        const res = await fetch(`${s.url}${url}`, { headers: headers(token), signal: abort.signal });
        abort.abort();
        return res.status;
      };
      const role = declared as Role;
      const [none, without, withRole] = [
        await call(),
        await call(allBut.get(role)),
        await call(only.get(role)),
      ];
      rows.push(`${method} ${route} ${role}: ${none} ${without} ${withRole}`);
      expect({ op: `${method} ${route}`, none, without }).toEqual({
        op: `${method} ${route}`,
        none: 401,
        without: 403,
      });
      expect([401, 403], `${method} ${route} with ${role} answered ${withRole}`).not.toContain(withRole);
    }
    expect(rows.length).toBeGreaterThan(45);
  });

  it('refuses a route registered without a role, even with every role', async () => {
    const db = await createTestDatabase();
    const prisma = createPrismaClient({ url: db.url, poolSize: 2 });
    const app = await buildApp({
      config: loadConfig({
        DATABASE_URL: db.url,
        BATCHYARD_LOG_LEVEL: 'silent',
        BATCHYARD_REGISTER_SAMPLES: 'false',
      }),
      prisma,
      databaseUrl: db.url,
      embeddedDatabase: false,
      logger: pino({ level: 'silent' }),
      controlLoops: false,
    });
    try {
      app.get('/undeclared', async () => 'reached');
      await app.ready();
      expect(app.auth.routes.has('GET /undeclared')).toBe(true);
      expect(app.auth.routes.get('GET /undeclared')).toBeUndefined();
      // Authentication is off here (loopback): the caller holds every role, and is still refused.
      const r = await app.inject({ method: 'GET', url: '/undeclared' });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({
        error: 'FORBIDDEN',
        message: expect.stringMatching(/declares no role/),
      });
    } finally {
      await app.close();
      await prisma.$disconnect();
      await db.drop();
    }
  });
});
