import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { TestIssuer } from './test-issuer.js';

/** Bearer JWTs and the dashboard login against a real issuer (keys served over JWKS by the test). */

const ADMIN = ['VIEW', 'CREATE', 'DEPLOY', 'DESTROY', 'MODIFY', 'SCHEDULE', 'MANAGE'];

describe('OIDC', () => {
  let issuer: TestIssuer;
  let s: TestServer;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ dashboard: 'dashboard-secret' });
    s = await startTestServer(
      { BATCHYARD_REGISTER_SAMPLES: 'false', BATCHYARD_SCHEDULE_CHECK_SECONDS: '0' },
      {
        yaml: {
          auth: {
            oidc: {
              issuer: issuer.url,
              audience: ['batchyard'],
              rolesClaim: 'scope',
              roleMappings: { 'batchyard.view': ['VIEW'], 'batchyard.admin': ADMIN },
              clientId: 'dashboard',
              clientSecret: 'dashboard-secret',
              scopes: ['openid', 'batchyard.admin'],
            },
            session: { secureCookie: false },
          },
        },
        deps: { oidcOptions: { jwksCooldownMs: 0 } },
      },
    );
  });
  afterAll(async () => {
    await s.close();
    await issuer.close();
  });

  it('accepts a valid token with the roles its scopes map to', async () => {
    const token = await issuer.sign({
      sub: 'alice',
      preferred_username: 'alice',
      scope: 'openid batchyard.view',
    });
    expect((await s.request('GET', '/tasks/definitions', undefined, bearer(token))).status).toBe(200);
    const create = await s.request(
      'POST',
      '/tasks/definitions',
      { name: 'a', definition: 'x' },
      bearer(token),
    );
    expect(create.status).toBe(403);
    const about = await s.request<{ caller: unknown; security: unknown }>(
      'GET',
      '/about',
      undefined,
      bearer(token),
    );
    expect(about.body.caller).toEqual({ name: 'oidc:alice', kind: 'oidc', roles: ['VIEW'] });
    expect(about.body.security).toEqual({ authenticationEnabled: true, methods: ['oidc', 'session'] });
  });

  it.each([
    ['expired', { expiresIn: Math.floor(Date.now() / 1000) - 3600 }, /expired/],
    ['for another audience', { audience: 'someone-else' }, /aud/],
    ['from another issuer', { issuer: 'http://127.0.0.1:1/other' }, /iss/],
  ])('refuses a token %s', async (_what, opts, message) => {
    const token = await issuer.sign({ scope: 'batchyard.admin' }, opts);
    const r = await s.request<{ message: string }>('GET', '/tasks/definitions', undefined, bearer(token));
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(message);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses alg: none and a key the issuer never published', async () => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: issuer.url, aud: 'batchyard', sub: 'eve', exp: now + 300, scope: 'batchyard.admin' })}.`;
    const none = await s.request<{ message: string }>(
      'GET',
      '/tasks/definitions',
      undefined,
      bearer(unsigned),
    );
    expect(none.status).toBe(401);
    expect(none.body.message).toMatch(/algorithm|not a valid JWT/);
    const forged = await issuer.signWithUnknownKey({ scope: 'batchyard.admin' });
    const unknown = await s.request<{ message: string }>(
      'GET',
      '/tasks/definitions',
      undefined,
      bearer(forged),
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toMatch(/signing key/);
  });

  it('follows a key rotation without a restart', async () => {
    const before = await issuer.sign({ scope: 'batchyard.view' });
    expect((await s.request('GET', '/apps', undefined, bearer(before))).status).toBe(200);
    const kid = await issuer.addKey();
    issuer.retireOldKeys();
    const after = await issuer.sign({ scope: 'batchyard.view' }, { kid });
    expect((await s.request('GET', '/apps', undefined, bearer(after))).status).toBe(200);
  });

  describe('dashboard login (authorization code + PKCE) and session cookie', () => {
    let cookie = '';
    let csrf = '';

    it('logs in through the provider and sets an HttpOnly session cookie', async () => {
      issuer.loginAs = { subject: 'bob', claims: { preferred_username: 'bob' } };
      const start = await s.request('GET', '/auth/login?returnTo=/tasks/definitions');
      expect(start.status).toBe(302);
      const authorize = new URL(start.headers.get('location')!);
      expect(authorize.origin).toBe(issuer.url);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      const provider = await fetch(authorize, { redirect: 'manual' });
      const callback = new URL(provider.headers.get('location')!);
      const back = await s.request('GET', `${callback.pathname}${callback.search}`);
      expect(back.status).toBe(302);
      expect(back.headers.get('location')).toBe('/tasks/definitions');
      const setCookie = back.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/batchyard_session=[^;]+;.*HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
      cookie = setCookie.split(';')[0]!;
      const session = await s.request<{ principal: string; roles: string[]; csrfToken: string }>(
        'GET',
        '/auth/session',
        undefined,
        { cookie },
      );
      expect(session.body).toMatchObject({ principal: 'oidc:bob', roles: ADMIN });
      csrf = session.body.csrfToken;
      // The same state cannot be used twice.
      expect((await s.request('GET', `${callback.pathname}${callback.search}`)).status).toBe(401);
    });

    it('needs the CSRF token on state-changing requests, and refuses cross-site forms outright', async () => {
      const body = { name: 'by-cookie', definition: 'timestamp' };
      expect((await s.request('POST', '/tasks/definitions', body, { cookie })).status).toBe(403);
      const crossSite = await s.request('POST', '/tasks/executions/1/relaunch', 'x', {
        cookie,
        origin: 'https://evil.example',
        'content-type': 'text/plain',
        'x-csrf-token': csrf,
      });
      expect(crossSite.status).toBe(403);
      const withToken = await s.request<{ message: string }>('POST', '/tasks/definitions', body, {
        cookie,
        'x-csrf-token': csrf,
      });
      expect(withToken.status).not.toBe(401);
      expect(withToken.status).not.toBe(403);
      expect((await s.request('GET', '/tasks/definitions', undefined, { cookie })).status).toBe(200);
    });

    it('refuses an open redirect after login', async () => {
      expect((await s.request('GET', '/auth/login?returnTo=//evil.example/')).status).toBe(400);
      expect((await s.request('GET', '/auth/login?returnTo=https://evil.example/')).status).toBe(400);
    });

    it('logs out: the cookie opens nothing afterwards', async () => {
      expect(
        (await s.request('POST', '/auth/logout', undefined, { cookie, 'x-csrf-token': csrf })).status,
      ).toBe(204);
      expect((await s.request('GET', '/auth/session', undefined, { cookie })).status).toBe(401);
      expect((await s.request('GET', '/tasks/definitions', undefined, { cookie })).status).toBe(401);
    });
  });
});
