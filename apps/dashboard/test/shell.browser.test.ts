import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDefinition,
  type Dashboard,
  finished,
  launch,
  offMachine,
  openDashboard,
  seriousViolations,
} from './browser.js';

describe('dashboard shell: overview, about, apps, audit, navigation', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await openDashboard({ BATCHYARD_GRAFANA_URL: 'http://127.0.0.1:3000/d/batchyard' });
    await createDefinition(d.server, 'hello', 'scripted --print=hi');
    await createDefinition(d.server, 'pair', 'one: scripted && two: scripted');
  });
  afterAll(() => d?.close());

  it('serves the dashboard at / with a CSP that allows no inline script, and the overview shows each platform account', async () => {
    const res = await fetch(`${d.server.url}/`);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    await d.goto('/');
    await expect(d.page.locator('h1').textContent()).resolves.toBe('Overview');
    const row = d.page.locator('table tr', { has: d.page.locator('th', { hasText: 'local' }) });
    await row.waitFor();
    expect(await row.locator('td').first().textContent()).toBe('local');
    const grafana = d.page.getByRole('link', { name: /Metrics in Grafana/ });
    expect(await grafana.getAttribute('href')).toBe('http://127.0.0.1:3000/d/batchyard');
    expect(await grafana.getAttribute('rel')).toContain('noopener');
    expect(await seriousViolations(d.page)).toEqual([]);
    expect(d.problems).toEqual([]);
  });

  it('answers every /ui URL with the app (deep links work) and an unknown one with its not-found page', async () => {
    await d.goto('/ui/definitions?search=hel');
    expect(await d.page.locator('h1').textContent()).toBe('Task definitions');
    await d.page.getByRole('link', { name: 'hello' }).waitFor();
    await d.goto('/ui/nothing-here');
    expect(await d.page.locator('h1').textContent()).toBe('Not found');
  });

  it('is keyboard navigable: the skip link and the main navigation are reachable with Tab', async () => {
    await d.goto('/');
    await d.page.keyboard.press('Tab');
    expect(await d.page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await d.page.keyboard.press('Tab');
    await d.page.keyboard.press('Tab');
    expect(await d.page.evaluate(() => document.activeElement?.textContent)).toBe('Overview');
    await d.page.keyboard.press('Tab');
    await d.page.keyboard.press('Enter');
    await d.page.waitForURL('**/ui/definitions');
    expect(await d.page.locator('h1').textContent()).toBe('Task definitions');
  });

  it('about shows versions, platform accounts and the caller roles (all of them on loopback without auth)', async () => {
    await d.goto('/ui/about');
    const roles = await d.page.locator('[data-roles]').textContent();
    for (const role of ['VIEW', 'CREATE', 'DEPLOY', 'DESTROY', 'MODIFY', 'SCHEDULE', 'MANAGE'])
      expect(roles).toContain(role);
    await d.page.getByText('local (local)').waitFor();
    expect(await seriousViolations(d.page)).toEqual([]);
  });

  it('apps: registers an app, shows it with its default, and unregisters it', async () => {
    await d.goto('/ui/apps');
    await d.page.getByLabel('Name', { exact: true }).fill('extra');
    await d.page.getByLabel('Version').fill('2.0');
    await d.page.getByLabel('URI').fill('docker:example/extra:2.0');
    await d.page.getByRole('button', { name: 'Register', exact: true }).click();
    const row = d.page.locator('tr[data-app="extra"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('★ default');
    expect(await seriousViolations(d.page)).toEqual([]);
    d.page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Unregister' }).click();
    await row.waitFor({ state: 'detached' });
  });

  it('apps: a bad URI is shown at its field', async () => {
    await d.goto('/ui/apps');
    await d.page.getByLabel('Name', { exact: true }).fill('bad');
    await d.page.getByLabel('URI').fill('not a uri');
    await d.page.getByRole('button', { name: 'Register', exact: true }).click();
    await d.page.locator('.field.invalid', { hasText: 'URI' }).getByRole('alert').waitFor();
  });

  it('audit lists what was done, filterable by action', async () => {
    await d.goto('/ui/audit?operation=APP_REGISTRATION');
    await d.page.locator('tbody tr').first().waitFor();
    const ops = await d.page.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(ops.length).toBeGreaterThan(0);
    expect(new Set(ops)).toEqual(new Set(['APP_REGISTRATION']));
    expect(await seriousViolations(d.page)).toEqual([]);
    expect(d.problems).toEqual([]);
  });

  it('works offline and passes axe on every page: no request leaves this machine', async () => {
    const run = await finished(d.server, (await launch(d.server, 'hello')).id);
    const r = await d.server.request('POST', '/tasks/schedules', {
      scheduleName: 'every-hour',
      taskDefinitionName: 'hello',
      cron: '0 * * * *',
    });
    expect(r.status).toBe(201);
    const pages = [
      '/',
      '/ui/definitions',
      '/ui/definitions/new',
      '/ui/definitions/pair', // the graph: elk's layout worker
      '/ui/definitions/hello/edit',
      '/ui/launch/hello',
      '/ui/executions',
      `/ui/executions/${run.id}`,
      '/ui/jobs',
      '/ui/schedules',
      '/ui/schedules/every-hour',
      '/ui/schedules/new',
      '/ui/apps',
      '/ui/audit',
      '/ui/about',
    ];
    const violations: string[] = [];
    for (const path of pages) {
      await d.goto(path);
      await d.page.waitForFunction(() => !document.querySelector('main [aria-live="polite"].muted'));
      if (path === '/ui/definitions/pair')
        await d.page.locator('figure.graph svg [data-node="two"]').waitFor();
      for (const v of await seriousViolations(d.page)) violations.push(`${path}: ${v}`);
    }
    expect(violations).toEqual([]);
    // The bundle, its styles, the layout worker, the API and the live channel were all asked for…
    const paths = d.requests.map((u) => new URL(u).pathname);
    for (const kind of [/^\/assets\/app-.+\.js$/, /^\/assets\/styles-.+\.css$/, /elk-worker/, /^\/events$/])
      expect(
        paths.some((p) => kind.test(p)),
        String(kind),
      ).toBe(true);
    // …and nothing was asked of any other machine (no CDN, fonts or telemetry).
    expect(offMachine(d.requests)).toEqual([]);
    expect(d.problems).toEqual([]);
  });
});
