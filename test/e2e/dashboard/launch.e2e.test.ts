import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, seriousViolations } from '../../../apps/dashboard/test/browser.js';
import type { TestServer } from '../../../apps/server/test/harness.js';
import { type Execution, type K8sServer, startK8sServer, until } from '../support/k8s-server.js';

/** The first launch from the form gets this id (set on TASK_SEQ), so the preview's 0 can be put in its places. */
const NEXT_ID = 765432;

/**
 * The dashboard on a server whose platform account is a namespace of the test control plane (real
 * kube-apiserver, Job controller and scheduler; the node agent runs each pod's container as a local
 * process and enforces its memory limit): launched from the form in Chromium, followed to the end
 * in the page, and a pod killed for memory shown with its platform reason.
 */
describe('dashboard on the Kubernetes platform (Chromium)', () => {
  let k: K8sServer;
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    k = await startK8sServer('dash');
    s = k.server;
    await s.request('POST', '/apps/task/scripted/1.0', { uri: 'docker:batchyard/scripted-task:1.0' });
    await s.request('POST', '/tasks/definitions', {
      name: 'hello',
      definition: 'scripted --print=from-the-form',
    });
    await s.request('POST', '/tasks/definitions', {
      name: 'hog',
      definition: 'scripted --allocate=300 --sleep=5000',
    });
    await s.prisma.$executeRawUnsafe(`SELECT setval('task_seq', ${NEXT_ID - 1})`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
      headless: true,
    });
    page = await (await browser.newContext({ baseURL: s.url })).newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });
  afterAll(async () => {
    await browser?.close();
    await k?.close();
  });

  /** The Job manifest the launch form previews, once it has caught up with the form. */
  const previewed = async (contains: string) => {
    const pre = page.locator('.preview[data-state="ready"] pre.manifest');
    const text = await until(
      async () => ((await pre.count()) > 0 ? ((await pre.textContent()) ?? '') : ''),
      (t) => t.includes(contains),
      `the preview to show ${contains}`,
    );
    return JSON.parse(text) as { kind: string; spec: { template: { spec: { containers: unknown[] } } } };
  };

  it('launches from the form: the previewed Job is the one created, and the execution completes in the page', async () => {
    await page.goto('/ui/launch/hello');
    await page.locator('main h1').first().waitFor();
    expect(await page.getByLabel('Platform account').inputValue()).toBe('k8s');
    await page.getByLabel('Arguments (one per line)').fill('--sleep=3000');
    const manifest = await previewed('--sleep=3000');
    expect(manifest.kind).toBe('Job');
    expect(JSON.stringify(manifest)).toContain('from-the-form');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(new RegExp(`/ui/executions/${NEXT_ID}$`));
    // The page follows the execution to its end without a reload (server push).
    await page.locator('.big-status [data-status="COMPLETE"]').waitFor({ timeout: 120_000 });
    const stored = (await s.request<Execution>('GET', `/tasks/executions/${NEXT_ID}`)).body;
    expect(stored.externalExecutionId).toBe(`hello-${NEXT_ID}`);
    expect(JSON.parse(JSON.stringify(stored.manifest).replaceAll(String(NEXT_ID), '0'))).toEqual(manifest);
    const job = await k.ns.batch.readNamespacedJob({ name: `hello-${NEXT_ID}`, namespace: k.ns.namespace });
    expect(job.spec?.template.spec?.containers[0]?.args).toContain('--sleep=3000');
    expect(problems).toEqual([]);
  });

  it('shows a pod killed for memory as FAILED with its platform reason, OOMKilled', async () => {
    await page.goto('/ui/launch/hog');
    await page.locator('main h1').first().waitFor();
    await page
      .getByLabel('Properties (key=value, one per line)')
      .fill('deployer.scripted.limits.memory=128Mi');
    const manifest = await previewed('128Mi');
    expect(JSON.stringify(manifest.spec.template.spec.containers)).toContain('"memory":"128Mi"');
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/ui\/executions\/\d+$/);
    await page.locator('.big-status [data-status="FAILED"]').waitFor({ timeout: 120_000 });
    const reason = page.locator('.reason');
    await reason.waitFor();
    expect(await reason.textContent()).toContain('platform reason: OOMKilled');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
