import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestIssuer } from '../../server/test/security/test-issuer.js';
import {
  createDefinition,
  type Dashboard,
  finished,
  launch,
  offMachine,
  openDashboard,
  seriousViolations,
} from './browser.js';

const ADMIN = ['VIEW', 'CREATE', 'DEPLOY', 'DESTROY', 'MODIFY', 'SCHEDULE', 'MANAGE'];

/**
 * Sign-in with a real OpenID provider (the test's issuer: discovery, JWKS, authorization code with
 * PKCE, signed ID tokens) in Chromium, and what a VIEW-only user may do: every action needing
 * another role is disabled with the reason, and the API refuses it anyway.
 */
describe('dashboard with authentication: OIDC sign-in, roles in the page and at the API', () => {
  let issuer: TestIssuer;
  let d: Dashboard;
  let executionId: number;

  /** Signs in through the provider as `subject` of `groups`, from the login page of `path`. */
  async function signIn(page: Page, path: string, subject: string, groups: string[]): Promise<void> {
    issuer.loginAs = { subject, claims: { preferred_username: subject, groups } };
    await page.goto(path);
    await page.getByRole('heading', { name: 'Sign in to Batchyard' }).waitFor();
    await page.getByRole('link', { name: 'Sign in with your identity provider' }).click();
    await page.locator('header .who', { hasText: `oidc:${subject}` }).waitFor();
  }

  beforeAll(async () => {
    issuer = await TestIssuer.start({ dashboard: 'dashboard-secret' });
    const admin = await issuer.sign({ sub: 'seeder', groups: ['admins'] });
    d = await openDashboard(
      { BATCHYARD_SCHEDULE_CHECK_SECONDS: '0' },
      {
        yaml: {
          auth: {
            oidc: {
              issuer: issuer.url,
              audience: ['batchyard', 'dashboard'],
              rolesClaim: 'groups',
              roleMappings: { viewers: ['VIEW'], admins: ADMIN },
              clientId: 'dashboard',
              clientSecret: 'dashboard-secret',
              scopes: ['openid'],
            },
            session: { secureCookie: false },
          },
        },
        headers: { authorization: `Bearer ${admin}` },
      },
    );
    await createDefinition(d.server, 'guarded', 'scripted --sleep=60000');
    const r = await d.server.request('POST', '/tasks/schedules', {
      scheduleName: 'guarded-nightly',
      taskDefinitionName: 'guarded',
      cron: '0 1 * * *',
    });
    expect(r.status).toBe(201);
    executionId = (await launch(d.server, 'guarded')).id;
  });
  afterAll(async () => {
    if (executionId) {
      await d.server.request('POST', `/tasks/executions/${executionId}/stop`);
      await finished(d.server, executionId);
    }
    await d?.close();
    await issuer?.close();
  });

  it('shows the login page to a caller without a session, and signs in through the provider back to the page asked for', async () => {
    expect((await fetch(`${d.server.url}/tasks/definitions`)).status).toBe(401);
    await d.page.goto('/ui/definitions?search=guar');
    await d.page.getByRole('heading', { name: 'Sign in to Batchyard' }).waitFor();
    expect(await seriousViolations(d.page)).toEqual([]);
    await signIn(d.page, '/ui/definitions?search=guar', 'vera', ['viewers']);
    expect(new URL(d.page.url()).pathname + new URL(d.page.url()).search).toBe('/ui/definitions?search=guar');
    await d.page.getByRole('link', { name: 'guarded', exact: true }).waitFor();
    // The provider was asked (authorization code + PKCE), and the session is an HttpOnly cookie.
    expect(d.requests.some((u) => u.startsWith(`${issuer.url}/authorize`))).toBe(true);
    const cookie = (await d.context.cookies()).find((c) => c.name === 'batchyard_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(await d.page.evaluate(() => document.cookie)).not.toContain('batchyard_session');
    expect(offMachine(d.requests)).toEqual([]);
  });

  it('a VIEW-only user sees every action disabled with the reason, and the API refuses it anyway', async () => {
    await d.goto('/ui/about');
    expect((await d.page.locator('[data-roles]').textContent())?.trim()).toBe('VIEW');

    const disabled = async (name: string, role: string) => {
      const button = d.page.getByRole('button', { name, exact: true });
      await button.waitFor();
      expect(await button.isDisabled(), name).toBe(true);
      expect(await button.getAttribute('title')).toContain(`Needs the ${role} role`);
    };
    await d.goto('/ui/definitions');
    await disabled('New definition', 'CREATE');
    await d.goto('/ui/definitions/guarded');
    await disabled('Launch…', 'DEPLOY');
    await disabled('Edit', 'MODIFY');
    await disabled('Schedule…', 'SCHEDULE');
    await disabled('Delete', 'DESTROY');
    expect(await d.page.locator('main a[href*="/launch/"], main a[href$="/edit"]').count()).toBe(0);
    await d.goto(`/ui/executions/${executionId}`);
    await d.page.locator('.big-status [data-status="RUNNING"]').waitFor({ timeout: 60_000 });
    await disabled('Stop', 'DEPLOY');
    await disabled('Relaunch', 'DEPLOY');
    await d.goto('/ui/schedules/guarded-nightly');
    await disabled('Suspend', 'SCHEDULE');
    await disabled('Run now', 'DEPLOY');
    await d.goto('/ui/launch/guarded');
    await disabled('Launch', 'DEPLOY');
    expect(await seriousViolations(d.page)).toEqual([]);

    // The same requests made from the page with the session and its CSRF token: 403, nothing done.
    const refused = await d.page.evaluate(async (id) => {
      const { csrfToken } = (await (await fetch('/auth/session')).json()) as { csrfToken: string };
      const post = (path: string, body?: unknown) =>
        fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
          body: JSON.stringify(body ?? {}),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error: string } }));
      return [
        await post(`/tasks/executions/${id}/stop`),
        await post('/tasks/executions', { name: 'guarded' }),
        await post('/tasks/schedules/guarded-nightly/suspend'),
      ];
    }, executionId);
    for (const r of refused) expect(r).toMatchObject({ status: 403, body: { error: 'FORBIDDEN' } });
    const e = await d.server.request<{ status: string }>('GET', `/tasks/executions/${executionId}`);
    expect(e.body.status).toBe('RUNNING');
    const runs = await d.server.request<{ items: unknown[] }>('GET', '/tasks/executions?task=guarded');
    expect(runs.body.items).toHaveLength(1);
  });

  it('an admin signed in the same way launches from the form and stops the run (CSRF token sent by the page)', async () => {
    const context = await d.browser.newContext({ baseURL: d.server.url });
    try {
      const page = await context.newPage();
      await signIn(page, '/ui/launch/guarded', 'ada', ['admins']);
      await page.getByRole('heading', { name: 'Launch guarded' }).waitFor();
      await page.getByRole('button', { name: 'Launch', exact: true }).click();
      await page.waitForURL(/\/ui\/executions\/\d+$/);
      const id = Number(page.url().split('/').at(-1));
      await page.locator('.big-status [data-status="RUNNING"]').waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await page.locator('.big-status [data-status="STOPPED"]').waitFor({ timeout: 60_000 });
      const audit = await d.server.request<{ items: { principal?: string; createdBy?: string }[] }>(
        'GET',
        `/audit-records?size=100`,
      );
      expect(JSON.stringify(audit.body)).toContain('oidc:ada');
      expect(id).not.toBe(executionId);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Batchyard' }).waitFor();
      expect((await context.cookies()).some((c) => c.name === 'batchyard_session' && c.value)).toBe(false);
    } finally {
      await context.close();
    }
  });
});
