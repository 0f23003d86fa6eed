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

interface JobPage {
  items: { id: number; status: string; stepExecutionCount: number }[];
}

describe('job executions: failed filter, step table, restart, step progress and history charts', () => {
  let d: Dashboard;
  let failedJob: number;
  beforeAll(async () => {
    d = await openDashboard();
    await createDefinition(d.server, 'settle-demo', 'settle --chunkSize=100');
    for (const seed of [1, 2])
      await finished(d.server, (await launch(d.server, 'settle-demo', [`rows=600`, `seed=${seed}`])).id);
    const failing = await finished(
      d.server,
      (await launch(d.server, 'settle-demo', ['rows=400', 'seed=104', '--failAt=250'])).id,
    );
    expect(failing.status).toBe('FAILED');
    const jobs = await d.server.request<JobPage>('GET', `/jobs/executions?taskExecutionId=${failing.id}`);
    failedJob = jobs.body.items[0]!.id;
  });
  afterAll(() => d?.close());

  it('lists job executions; "Failed" is one click away', async () => {
    await d.goto('/ui/jobs');
    await d.page.locator('tbody tr').nth(2).waitFor();
    await d.page.getByRole('link', { name: 'Failed', exact: true }).click();
    await d.page.waitForURL(/status=FAILED/);
    await d.page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    expect(await d.page.locator('tbody tr td:first-child').textContent()).toBe(`#${failedJob}`);
    expect(await seriousViolations(d.page)).toEqual([]);
  });

  it('shows the failed job with its parameters and step table, and restarts it (a new attempt of the same instance)', async () => {
    await d.goto(`/ui/jobs/${failedJob}`);
    const settle = d.page.locator('table.steps tr[data-step="settle"]');
    await settle.waitFor();
    const cells = await settle.locator('td').allTextContents();
    expect(cells[1]).toContain('FAILED');
    expect(Number(cells[5]!.replace(/\D/g, ''))).toBeGreaterThan(0); // skips: the generated file has bad lines
    expect(Number(cells[6]!.replace(/\D/g, ''))).toBeGreaterThan(0); // commits before the failure
    expect(await d.page.getByRole('cell', { name: 'rows', exact: true }).count()).toBe(1);
    expect(await seriousViolations(d.page)).toEqual([]);
    expect(await d.page.getByRole('button', { name: 'Stop', exact: true }).isDisabled()).toBe(true);
    await d.page.getByRole('button', { name: 'Restart' }).click();
    // The restart relaunches the task with the same arguments: a new attempt of the same instance
    // (which meets the injected failure again). This one is now an older attempt: not restartable.
    await until(
      () => d.server.request<JobPage>('GET', '/jobs/executions?status=FAILED').then((r) => r.body.items),
      (items) => items.length === 2 && items[0]!.id > failedJob,
      'the restarted attempt to end',
    );
    await d.page.locator('button[disabled][title]:text-is("Restart")').waitFor();
    expect(await d.page.getByRole('button', { name: 'Restart' }).getAttribute('title')).toContain('newest');
  });

  it('step detail: progress bar of a running step, then the history table and charts of finished runs', async () => {
    const running = await launch(d.server, 'settle-demo', ['rows=1200', 'seed=5', '--delayMs=4']);
    const job = await until(
      () =>
        d.server
          .request<JobPage>('GET', `/jobs/executions?taskExecutionId=${running.id}`)
          .then((r) => r.body.items[0]),
      (j) => j !== undefined && j.status === 'STARTED' && j.stepExecutionCount >= 2,
      'the settle step to start',
    );
    const steps = await d.server.request<{ id: number; stepName: string }[]>(
      'GET',
      `/jobs/executions/${job!.id}/steps`,
    );
    const settle = steps.body.find((s) => s.stepName === 'settle')!;
    await d.goto(`/ui/jobs/${job!.id}/steps/${settle.id}`);
    const bar = d.page.locator('progress#step-progress');
    await bar.waitFor();
    expect(await d.page.locator('label[for="step-progress"]').textContent()).toMatch(/^Progress: \d+%/);
    const first = Number(await bar.getAttribute('value'));
    await d.page.waitForFunction(
      (v) => Number(document.querySelector('progress')?.getAttribute('value')) > v,
      first,
      { timeout: 60_000 },
    );
    await d.page.locator('label[for="step-progress"]', { hasText: 'Finished' }).waitFor({ timeout: 60_000 });
    const history = d.page.getByRole('table', { name: /History of settle over \d+ finished runs/ });
    await history.waitFor();
    expect(await history.getByRole('rowheader').allTextContents()).toContain('Duration');
    await d.page.locator('.chart canvas').first().waitFor();
    expect(await d.page.locator('.chart').count()).toBe(2);
    expect(await seriousViolations(d.page)).toEqual([]);
    expect(d.problems).toEqual([]);
  });
});
