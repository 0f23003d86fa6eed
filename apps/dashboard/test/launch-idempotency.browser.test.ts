import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefinition, type Dashboard, openDashboard } from './browser.js';

interface Execution {
  id: number;
}

describe('launches from the dashboard carry an Idempotency-Key', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await openDashboard();
    await createDefinition(d.server, 'once', 'scripted --print=once');
  });
  afterAll(() => d?.close());

  it('a launch whose answer was lost, clicked again, gets the first execution back, not a second', async () => {
    const keys: string[] = [];
    let first: Execution | undefined;
    // The first launch reaches the server and runs; its answer never reaches the page.
    await d.page.route('**/tasks/executions', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (first) return route.continue();
      first = (await (await route.fetch()).json()) as Execution;
      return route.abort('connectionreset');
    });
    await d.goto('/ui/launch/once');
    await d.page.getByRole('button', { name: 'Launch' }).click();
    await d.page.getByRole('alert').first().waitFor();
    expect(first?.id).toBeGreaterThan(0);
    await d.page.getByRole('button', { name: 'Launch' }).click();
    await d.page.waitForURL(/\/ui\/executions\/\d+$/);
    expect(Number(d.page.url().split('/').at(-1))).toBe(first?.id);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    const runs = await d.server.request<{ items: Execution[] }>('GET', '/tasks/executions?task=once');
    expect(runs.body.items.map((e) => e.id)).toEqual([first?.id]);
  });
});
