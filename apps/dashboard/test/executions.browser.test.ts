import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDefinition,
  type Dashboard,
  finished,
  launch,
  openDashboard,
  seriousViolations,
  until,
} from './browser.js';

describe('task executions: launch form, list filters and paging, detail actions, logs, composed graph', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await openDashboard();
    await createDefinition(d.server, 'quick', 'scripted --print=quick-run');
    await createDefinition(d.server, 'failing', 'scripted --exit=3');
    await createDefinition(d.server, 'slow', 'scripted --sleep=60000');
    await createDefinition(
      d.server,
      'flow',
      // long enough that its RUNNING state is still there once the page and its graph are up on a busy machine
      'first: scripted --sleep=10000 && second: scripted --print=second-ran',
    );
  });
  afterAll(() => d?.close());

  it('launch: a bad property is shown at its field; fixed, the launch opens the execution and its logs follow it to the end', async () => {
    await d.goto('/ui/launch/quick');
    await d.page.getByLabel('Arguments (one per line)').fill('--sleep=2500\n--print=from-the-form');
    await d.page.getByLabel('Properties (key=value, one per line)').fill('nonsense=1');
    await d.page.getByRole('button', { name: 'Launch' }).click();
    const fieldError = d.page.locator('.field.invalid', { hasText: 'Properties' }).getByRole('alert');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain('nonsense');
    expect(await seriousViolations(d.page)).toEqual([]);
    await d.page.getByLabel('Properties (key=value, one per line)').fill('app.scripted.mode=fast');
    await d.page.getByRole('button', { name: 'Launch' }).click();
    await d.page.waitForURL(/\/ui\/executions\/\d+$/);
    // Followed while it runs, then the end of the stream and the final status, without a reload.
    await d.page.locator('.log-state[data-state="following"]').waitFor();
    await d.page.locator('.log-state[data-state="ended"]').waitFor({ timeout: 60_000 });
    const log = await d.page.locator('.log pre').textContent();
    expect(log).toContain('from-the-form');
    expect(log).toContain('done');
    await d.page.locator('.big-status [data-status="COMPLETE"]').waitFor({ timeout: 60_000 });
    expect(await d.page.locator('.big-status').textContent()).toContain('COMPLETE');
    await d.page.getByLabel('Search logs').fill('DONE');
    expect(await d.page.locator('.log pre').textContent()).toBe('done');
    expect(await d.page.getByText('1 matching lines').count()).toBe(1);
    expect(await seriousViolations(d.page)).toEqual([]);
  });

  it('launch: each refusal is shown at the field the API names in details[].path', async () => {
    const r = await d.server.request('POST', '/apps/task/imageonly/1.0', {
      uri: 'docker:example/imageonly:1.0',
    });
    expect(r.status).toBe(201);
    await createDefinition(d.server, 'image-task', 'imageonly');
    // An app with only an image cannot run on the local account: body.platform.
    await d.goto('/ui/launch/image-task');
    await d.page.getByRole('button', { name: 'Launch' }).click();
    const platformError = d.page
      .locator('.field.invalid', { hasText: 'Platform account' })
      .getByRole('alert');
    await platformError.waitFor();
    expect(await platformError.textContent()).toMatch(/local/);
    expect(await d.page.locator('.field.invalid').count()).toBe(1);
    // A version that is not registered: body.properties.version.scripted, shown at Properties with its key.
    await d.goto('/ui/launch/quick');
    await d.page.getByLabel('Properties (key=value, one per line)').fill('version.scripted=9.9');
    await d.page.getByRole('button', { name: 'Launch' }).click();
    const propsError = d.page.locator('.field.invalid', { hasText: 'Properties' }).getByRole('alert');
    await propsError.waitFor();
    expect(await propsError.textContent()).toMatch(/^version\.scripted: .*9\.9/);
    expect(await d.page.getByLabel('Properties (key=value, one per line)').getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(await d.page.locator('.field.invalid').count()).toBe(1);
    expect(await seriousViolations(d.page)).toEqual([]);
    // Nothing was launched by either refusal.
    const runs = await d.server.request<{ items: unknown[] }>('GET', '/tasks/executions?task=image-task');
    expect(runs.body.items).toEqual([]);
  });

  it('list: "Failed" is one click away, filters live in the URL, and pages carry the cursor', async () => {
    for (let i = 0; i < 3; i++) await finished(d.server, (await launch(d.server, 'failing')).id);
    for (let i = 0; i < 3; i++) await finished(d.server, (await launch(d.server, 'quick')).id);
    await d.goto('/ui/executions?size=2');
    await d.page.getByRole('link', { name: 'Failed', exact: true }).click();
    await d.page.waitForURL(/status=FAILED/);
    await d.page.locator('tbody tr').first().waitFor();
    const statuses = await d.page
      .locator('tbody [data-status]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(new Set(statuses)).toEqual(new Set(['FAILED']));
    await d.goto('/ui/executions?task=quick&size=2');
    const ids = () => d.page.locator('tbody tr td:first-child').allTextContents();
    await d.page.locator('tbody tr').nth(1).waitFor();
    const first = await ids();
    await d.page.getByRole('link', { name: 'Next page →' }).click();
    await d.page.waitForURL(/cursor=/);
    // The next page has arrived when its first column holds execution ids other than the first page's.
    await d.page.waitForFunction((prev) => {
      const cells = Array.from(
        document.querySelectorAll('tbody tr td:first-child'),
        (c) => c.textContent ?? '',
      );
      return cells.length > 0 && cells.every((c) => /^\s*#?\d+\s*$/.test(c)) && !cells.includes(prev ?? '');
    }, first[0]);
    const second = await ids();
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    expect(await seriousViolations(d.page)).toEqual([]);
  });

  it('detail: stops a running execution and relaunches it; the status changes without a reload', async () => {
    const e = await launch(d.server, 'slow');
    await until(
      () => d.server.request<{ status: string }>('GET', `/tasks/executions/${e.id}`).then((r) => r.body),
      (x) => x.status === 'RUNNING',
      'slow to run',
    );
    await d.goto(`/ui/executions/${e.id}`);
    await d.page.locator('.big-status [data-status="RUNNING"]').waitFor();
    await d.page.getByRole('button', { name: 'Stop', exact: true }).click();
    await d.page.locator('.big-status [data-status="STOPPED"]').waitFor({ timeout: 60_000 });
    expect(await d.page.getByRole('button', { name: 'Stop', exact: true }).isDisabled()).toBe(true);
    await d.page.getByRole('button', { name: 'Relaunch' }).click();
    await d.page.waitForURL(
      (url) => /\/ui\/executions\/\d+$/.test(url.pathname) && !url.pathname.endsWith(`/${e.id}`),
    );
    await d.page.locator('.big-status [data-status]').waitFor();
    const relaunched = Number(d.page.url().split('/').at(-1));
    await d.server.request('POST', `/tasks/executions/${relaunched}/stop`);
  });

  it('a composed execution shows its graph with each child live status and links to the children', async () => {
    const parent = await launch(d.server, 'flow');
    await d.goto(`/ui/executions/${parent.id}`);
    const node = (label: string) => d.page.locator(`figure.graph [data-node="${label}"]`);
    await node('first').waitFor();
    await d.page
      .locator('figure.graph [data-node="first"][data-status="RUNNING"]')
      .waitFor({ timeout: 60_000 });
    await d.page
      .locator('figure.graph [data-node="second"][data-status="COMPLETE"]')
      .waitFor({ timeout: 60_000 });
    expect(await node('first').getAttribute('data-status')).toBe('COMPLETE');
    await d.page.locator('.big-status [data-status="COMPLETE"]').waitFor({ timeout: 60_000 });
    expect(await seriousViolations(d.page)).toEqual([]);
    await d.page.locator('figure.graph a:has([data-node="second"])').click();
    await d.page.waitForURL(/\/ui\/executions\/\d+$/);
    await d.page.getByRole('heading', { name: /of flow-second/ }).waitFor();
    expect(d.problems).toEqual([]);
  });
});
