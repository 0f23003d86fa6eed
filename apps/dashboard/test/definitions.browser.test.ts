import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDefinition,
  type Dashboard,
  finished,
  launch,
  openDashboard,
  seriousViolations,
} from './browser.js';

describe('task definitions: list, search, paging, detail with history, editor with live parse errors, graph', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await openDashboard();
    for (let i = 1; i <= 12; i++)
      await createDefinition(d.server, `batch-${String(i).padStart(2, '0')}`, 'scripted --print=x');
    await createDefinition(
      d.server,
      'pipeline',
      "scripted && <a: scripted || b: scripted> && c: scripted 'FAILED' -> alert: scripted",
    );
  });
  afterAll(() => d?.close());

  it('searches by name and pages with the keyset cursor in the URL', async () => {
    await d.goto('/ui/definitions?size=5');
    await d.page.getByLabel('Name contains').fill('batch-');
    await d.page.getByRole('button', { name: 'Search' }).click();
    await d.page.waitForURL(/search=batch-/);
    const names = () => d.page.locator('tbody tr td:first-child').allTextContents();
    await d.page.locator('tbody tr').nth(4).waitFor();
    const first = await names();
    expect(first).toHaveLength(5);
    expect(first.every((n) => n.startsWith('batch-'))).toBe(true);
    await d.page.getByRole('link', { name: 'Next page →' }).click();
    await d.page.waitForURL(/cursor=/);
    // The next page is in once five rows show and the first is not the previous page's first
    // (while it loads, the table may be empty).
    await d.page.waitForFunction((prev) => {
      const cells = document.querySelectorAll('tbody tr td:first-child');
      return cells.length === 5 && cells[0]?.textContent !== prev;
    }, first[0]);
    const second = await names();
    expect(second).toHaveLength(5);
    expect(second.filter((n) => first.includes(n))).toEqual([]);
    expect(await seriousViolations(d.page)).toEqual([]);
  });

  it('shows each row with its last execution status from the list page itself, live', async () => {
    const failedRun = await finished(d.server, (await launch(d.server, 'batch-01', ['--exit=2'])).id);
    expect(failedRun.status).toBe('FAILED');
    const before = d.requests.length;
    await d.goto('/ui/definitions?search=batch-0&size=5');
    const row = d.page.locator('tbody tr', {
      has: d.page.getByRole('link', { name: 'batch-01', exact: true }),
    });
    await row.locator('[data-status="FAILED"]').waitFor();
    expect(await row.getByRole('link', { name: /FAILED/ }).getAttribute('href')).toBe(
      `/ui/executions/${failedRun.id}`,
    );
    expect(await d.page.locator('tbody tr', { hasText: 'batch-02' }).textContent()).toContain('never run');
    // One API call for the page: no request per row for its last execution.
    const calls = d.requests.slice(before).filter((u) => new URL(u).pathname === '/tasks/executions');
    expect(calls).toEqual([]);
    // A new run of batch-01 shows without a reload.
    const next = await launch(d.server, 'batch-01');
    await finished(d.server, next.id);
    await d.page.locator(`tbody a[href="/ui/executions/${next.id}"] [data-status="COMPLETE"]`).waitFor();
  });

  it('shows a parse error at its line and column as the user types, and saves once it is fixed', async () => {
    await d.goto('/ui/definitions/new');
    await d.page.getByLabel('Name', { exact: true }).fill('typed');
    await d.page.getByLabel('Definition (task DSL)').fill('scripted &&\n&& b');
    const problem = d.page.getByRole('list', { name: 'Problems in the definition' });
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/Line 2, column 1/);
    const save = d.page.getByRole('button', { name: 'Create definition' });
    expect(await save.isDisabled()).toBe(true);
    expect(await seriousViolations(d.page)).toEqual([]);
    await d.page.getByLabel('Definition (task DSL)').fill('scripted && other: scripted');
    await problem.waitFor({ state: 'detached' });
    await d.page.locator('.editor-graph svg [data-node="other"]').waitFor();
    await save.click();
    await d.page.waitForURL('**/ui/definitions/typed');
    await d.page.getByRole('heading', { name: 'Graph', exact: true }).waitFor();
  });

  it('edits a definition and shows the change in its history as a diff', async () => {
    await createDefinition(d.server, 'edited', 'scripted --print=one');
    await d.goto('/ui/definitions/edited/edit');
    await d.page.getByLabel('Definition (task DSL)').fill('scripted --print=two');
    const save = d.page.getByRole('button', { name: 'Save changes' });
    await d.page.waitForFunction(() => !document.querySelector('[aria-label="Problems in the definition"]'));
    await save.click();
    await d.page.waitForURL('**/ui/definitions/edited');
    const diff = d.page.locator('.diff');
    await diff.waitFor();
    expect(await diff.locator('.diff-del').textContent()).toContain('scripted --print=one');
    expect(await diff.locator('.diff-add').textContent()).toContain('scripted --print=two');
    expect(await d.page.getByRole('heading', { name: /Version 1 → 2/ }).count()).toBe(1);
  });

  it('draws a composed definition as a graph: every app a node, the split side by side, the transition labelled', async () => {
    await d.goto('/ui/definitions/pipeline');
    const svg = d.page.locator('figure.graph svg');
    await svg.locator('[data-node]').first().waitFor();
    const nodes = await svg
      .locator('[data-node]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
    expect(nodes.sort()).toEqual(['END', 'START', 'alert', 'b', 'c', 'a', 'scripted'].sort());
    expect(await svg.locator('.edge-label').allTextContents()).toEqual(['FAILED']);
    const y = async (n: string) => Number(await svg.locator(`[data-node="${n}"] rect`).getAttribute('y'));
    expect(await y('a')).toBe(await y('b'));
    expect(await y('c')).toBeGreaterThan(await y('a'));
    expect(await seriousViolations(d.page)).toEqual([]);
    expect(d.problems).toEqual([]);
  });
});
