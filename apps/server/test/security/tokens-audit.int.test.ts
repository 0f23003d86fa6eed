import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokenService } from '../../src/auth/api-tokens.js';
import { assertSafeListen, InsecureListenError } from '../../src/auth/plugin.js';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { startTestServer, type TestServer } from '../harness.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

interface TokenView {
  name: string;
  roles: string[];
  token?: string;
  lastUsedAt: string | null;
}
interface AuditPage {
  items: {
    principal: string;
    action: string;
    operation: string;
    outcome: string;
    requestId: string;
    correlationId: string;
  }[];
  page: { next: string | null; total?: number };
}

describe('API tokens and the audit trail', () => {
  let s: TestServer;
  let admin = '';
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    s = await startTestServer({
      BATCHYARD_AUTH_TOKENS_ENABLED: 'true',
      BATCHYARD_REGISTER_SAMPLES: 'false',
      BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
    });
    // Bootstrap: the first MANAGE token comes from the server side (batchyard token create).
    admin = (await new ApiTokenService(s.prisma).create({ name: 'admin', roles: ['MANAGE', 'VIEW'] }, 'test'))
      .token;
  });
  afterAll(() => s.close());

  it('creates a token shown once, stores only its hash, and revokes it', async () => {
    const created = await s.request<TokenView>(
      'POST',
      '/auth/tokens',
      { name: 'ci', roles: ['VIEW', 'CREATE'] },
      bearer(admin),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const token = created.body.token!;
    expect(token).toMatch(/^bya_\d+_[A-Za-z0-9_-]{43}$/);
    const rows = await s.prisma.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM api_token');
    expect(JSON.stringify(rows)).not.toContain(token.slice(token.indexOf('_', 4) + 1));

    const def = await s.request(
      'POST',
      '/tasks/definitions',
      { name: 'by-ci', definition: 'timestamp' },
      bearer(token),
    );
    expect(def.status).not.toBe(401);
    const listed = await s.request<TokenView[]>('GET', '/auth/tokens', undefined, bearer(admin));
    const ci = listed.body.find((t) => t.name === 'ci')!;
    expect(ci).toMatchObject({ roles: ['VIEW', 'CREATE'] });
    expect(ci.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed.body)).not.toContain(token);

    expect((await s.request('DELETE', '/auth/tokens/ci', undefined, bearer(admin))).status).toBe(204);
    expect((await s.request('GET', '/apps', undefined, bearer(token))).status).toBe(401);
    expect((await s.request('DELETE', '/auth/tokens/ci', undefined, bearer(admin))).status).toBe(404);
  });

  it('bootstraps a token from the server side (batchyard token create), printed once', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [MAIN, 'token', ...args], {
        env: {
          ...process.env,
          DATABASE_URL: s.db.url,
          BATCHYARD_MIGRATE_ON_START: 'false',
          BATCHYARD_LOG_LEVEL: 'warn',
        },
      });
    const { stdout } = await run('create', 'bootstrap', '--roles', 'ALL', '--expires-in-days', '1');
    const token = stdout.trim();
    expect(token).toMatch(/^bya_\d+_/);
    const about = await s.request<{ caller: { name: string; roles: string[] } }>(
      'GET',
      '/about',
      undefined,
      bearer(token),
    );
    expect(about.body.caller).toMatchObject({ name: 'token:bootstrap' });
    expect(about.body.caller.roles).toHaveLength(7);
    await expect(run('create', 'x', '--roles', 'ROOT')).rejects.toMatchObject({
      stderr: expect.stringMatching(/unknown role ROOT/),
    });
    expect((await run('list')).stdout).toMatch(/^bootstrap\t/m);
  });

  it('refuses a tampered, unknown or expired token, and bad token requests with 4xx', async () => {
    const t = await new ApiTokenService(s.prisma, () => new Date(Date.now() - 2 * 86_400_000)).create(
      { name: 'old', roles: ['VIEW'], expiresAt: new Date(Date.now() - 86_400_000) },
      'test',
    );
    expect(
      (await s.request<{ message: string }>('GET', '/apps', undefined, bearer(t.token))).body.message,
    ).toMatch(/expired/);
    const tampered = `${admin.slice(0, -1)}${admin.endsWith('A') ? 'B' : 'A'}`;
    expect((await s.request('GET', '/apps', undefined, bearer(tampered))).status).toBe(401);
    expect(
      (
        await s.request(
          'GET',
          '/apps',
          undefined,
          bearer('bya_999999_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'),
        )
      ).status,
    ).toBe(401);
    expect((await s.request('GET', '/apps', undefined, { authorization: 'Basic abc' })).status).toBe(401);
    const bad = await s.request<{ details: { path: string }[] }>(
      'POST',
      '/auth/tokens',
      { name: 'x', roles: ['ROOT'] },
      bearer(admin),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]!.path).toMatch(/^body\.roles/);
    const dup = await s.request('POST', '/auth/tokens', { name: 'admin', roles: ['VIEW'] }, bearer(admin));
    expect(dup.status).toBe(409);
  });

  it('records every state-changing request with principal, outcome and request id', async () => {
    const writer = (
      await new ApiTokenService(s.prisma).create({ name: 'writer', roles: ['CREATE', 'DESTROY'] }, 'test')
    ).token;
    const app = await s.request(
      'POST',
      '/apps/task/timestamp/1.0',
      { uri: 'docker:acme/timestamp:1' },
      bearer(writer),
    );
    expect(app.status).toBe(201);
    const ok = await s.request(
      'POST',
      '/tasks/definitions',
      { name: 'audited', definition: 'timestamp' },
      bearer(writer),
    );
    expect(ok.status).toBe(201);
    const refused = await s.request(
      'POST',
      '/tasks/definitions',
      { name: 'Bad Name', definition: 'x' },
      bearer(writer),
    );
    expect(refused.status).toBe(400);
    const forbidden = await s.request('POST', '/tasks/executions', { name: 'audited' }, bearer(writer));
    expect(forbidden.status).toBe(403);

    const page = await s.request<AuditPage>(
      'GET',
      '/audit-records?principal=token:writer&total=true',
      undefined,
      bearer(admin),
    );
    expect(page.status).toBe(200);
    const [forbid, bad, created, registered] = page.body.items;
    expect(registered).toMatchObject({ operation: 'APP_REGISTRATION', outcome: 'SUCCESS' });
    expect(created).toMatchObject({
      operation: 'TASK_DEFINITION',
      action: 'CREATE',
      correlationId: 'audited',
      outcome: 'SUCCESS',
    });
    expect(created!.requestId).toBe(ok.headers.get('x-request-id'));
    expect(bad).toMatchObject({ action: 'POST /tasks/definitions', outcome: 'FAILURE' });
    expect(forbid).toMatchObject({ action: 'POST /tasks/executions', outcome: 'FAILURE' });
    expect(page.body.page.total).toBe(4);

    const byAction = await s.request<AuditPage>(
      'GET',
      '/audit-records?operation=TASK_DEFINITION&size=1',
      undefined,
      bearer(admin),
    );
    expect(byAction.body.items).toHaveLength(1);
    expect((await s.request('GET', '/audit-records', undefined, bearer(writer))).status).toBe(403);
    expect((await s.request('GET', '/audit-records?cursor=zzz', undefined, bearer(admin))).status).toBe(400);
  });
});

describe('safe defaults', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ BATCHYARD_REGISTER_SAMPLES: 'false', BATCHYARD_SCHEDULE_CHECK_SECONDS: '0' });
  });
  afterAll(() => s.close());

  it('works without a login on loopback, as the caller with every role', async () => {
    const about = await s.request<{ caller: { name: string; roles: string[] } }>('GET', '/about');
    expect(about.body.caller).toMatchObject({ name: 'anonymous' });
    expect(about.body.caller.roles).toHaveLength(7);
  });

  it('refuses a foreign Host (DNS rebinding) and answers loopback names and IPs', async () => {
    const evil = await s.app.inject({ method: 'GET', url: '/apps', headers: { host: 'evil.example:9393' } });
    expect(evil.statusCode).toBe(403);
    expect(evil.json().message).toMatch(/auth.allowedHosts/);
    for (const host of ['localhost:9393', '127.0.0.1', '[::1]:9393']) {
      expect((await s.app.inject({ method: 'GET', url: '/apps', headers: { host } })).statusCode).toBe(200);
    }
  });

  it('refuses a cross-site POST from a browser even with authentication off', async () => {
    const r = await s.request('POST', '/tasks/executions/1/relaunch', undefined, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(r.status).toBe(403);
    expect((await s.request('POST', '/tasks/executions/999/relaunch')).status).toBe(404); // curl-like
  });

  it('sends security headers and no CORS headers by default', async () => {
    const r = await s.request('GET', '/docs/', undefined, { origin: 'https://elsewhere.example' });
    expect(r.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses to start on 0.0.0.0 without authentication, before touching the database', async () => {
    const config = loadConfig({
      BATCHYARD_HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/none',
    });
    await expect(startServer(config)).rejects.toThrow(InsecureListenError);
    await expect(startServer(config)).rejects.toThrow(/BATCHYARD_AUTH_DISABLED=true/);
  });

  it('starts open off loopback only when told to, and says so', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) });
    const open = loadConfig({ BATCHYARD_AUTH_DISABLED: 'true' });
    expect(() => assertSafeListen(open.auth, '0.0.0.0', logger)).not.toThrow();
    expect(lines.join('')).toMatch(/authentication is DISABLED/);
    const tokens = loadConfig({ BATCHYARD_AUTH_TOKENS_ENABLED: 'true' });
    expect(() => assertSafeListen(tokens.auth, '0.0.0.0', logger)).not.toThrow();
  });
});
