import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefinition, type Dashboard, openDashboard, seriousViolations, until } from './browser.js';

interface ScheduleBody {
  name: string;
  cron: string;
  timeZone: string | null;
  suspend: boolean;
  arguments: string[];
  nextFireTimes: string[];
}

describe('schedules: create with the cron explained, list with next fires, suspend/resume, edit, run now', () => {
  let d: Dashboard;
  const schedule = (name: string) =>
    d.server.request<ScheduleBody>('GET', `/tasks/schedules/${name}`).then((r) => r.body);
  beforeAll(async () => {
    // The local scheduler stays off: no fire lands while the test looks at a schedule.
    d = await openDashboard({ BATCHYARD_SCHEDULE_CHECK_SECONDS: '0' });
    await createDefinition(d.server, 'nightly-task', 'scripted --print=scheduled');
    await createDefinition(d.server, 'other-task', 'scripted --print=other');
  });
  afterAll(() => d?.close());

  it('create: the cron helper explains the expression as it is typed; a refused cron is shown at its field', async () => {
    await d.goto('/ui/schedules/new?task=nightly-task');
    expect(await d.page.getByLabel('Task definition').inputValue()).toBe('nightly-task');
    await d.page.getByLabel('Schedule name').fill('weekday-mornings');
    const cron = d.page.getByLabel(/^Cron/);
    const explained = d.page.locator('#cron-explained');
    await cron.fill('30 2 * * 1-5');
    await d.page.waitForFunction(() =>
      document.querySelector('#cron-explained')?.textContent?.includes('02:30'),
    );
    expect(await explained.textContent()).toBe('✔ At 02:30 on Monday through Friday.');
    await cron.fill('61 * * * *');
    expect(await explained.textContent()).toContain('✖ minute');
    expect(await explained.textContent()).toContain("'61'");
    // The server's own check names the field; the dashboard shows its message at the cron input.
    await d.page.getByRole('button', { name: 'Create schedule' }).click();
    const cronError = d.page.locator('.field.invalid', { hasText: 'Cron' }).getByRole('alert');
    await cronError.waitFor();
    expect(await cronError.textContent()).toContain('61');
    expect(await seriousViolations(d.page)).toEqual([]);

    await cron.fill('30 2 * * 1-5');
    await d.page.getByLabel(/^Time zone/).fill('Europe/Paris');
    await d.page.getByLabel('Arguments (one per line)').fill('--print=from-schedule');
    await d.page.getByRole('button', { name: 'Create schedule' }).click();
    await d.page.waitForURL('**/ui/schedules/weekday-mornings');
    await d.page.getByRole('heading', { name: 'Schedule weekday-mornings' }).waitFor();
    const fires = await d.page.locator('ol.fires time').allTextContents();
    expect(fires.length).toBeGreaterThan(0);
    // Shown in the schedule's zone: every next fire reads 02:30 there.
    expect(fires.every((t) => t.includes('02:30:00'))).toBe(true);
    const stored = await schedule('weekday-mornings');
    expect(stored).toMatchObject({ cron: '30 2 * * 1-5', timeZone: 'Europe/Paris', suspend: false });
    expect(stored.arguments).toEqual(['--print=from-schedule']);
    expect(await seriousViolations(d.page)).toEqual([]);
  });

  it('list: the next fire in its zone, a filter in the URL, suspend and resume from the row', async () => {
    const r = await d.server.request('POST', '/tasks/schedules', {
      scheduleName: 'other-hourly',
      taskDefinitionName: 'other-task',
      cron: '15 * * * *',
    });
    expect(r.status).toBe(201);
    await d.goto('/ui/schedules');
    const row = d.page.locator('tr[data-schedule="weekday-mornings"]');
    await row.waitFor();
    await d.page.waitForFunction(
      () => !document.querySelector('tr[data-schedule="weekday-mornings"]')?.textContent?.includes('…'),
    );
    expect(await row.textContent()).toContain('02:30:00');
    expect(await row.textContent()).toContain('Europe/Paris');
    expect(await row.locator('td[title]').getAttribute('title')).toBe('At 02:30 on Monday through Friday.');
    expect(await seriousViolations(d.page)).toEqual([]);

    await d.page.getByLabel('Task definition').fill('other-task');
    await d.page.getByRole('button', { name: 'Apply' }).click();
    await d.page.waitForURL(/task=other-task/);
    await d.page.locator('tr[data-schedule="other-hourly"]').waitFor();
    await row.waitFor({ state: 'detached' });
    expect(await d.page.locator('tbody tr').count()).toBe(1);

    await d.goto('/ui/schedules');
    await row.getByRole('button', { name: 'Suspend' }).click();
    await row.getByRole('button', { name: 'Resume' }).waitFor();
    await row.getByText('⏸ suspended').waitFor();
    expect((await schedule('weekday-mornings')).suspend).toBe(true);
    await row.getByRole('button', { name: 'Resume' }).click();
    await row.getByRole('button', { name: 'Suspend' }).waitFor();
    expect((await schedule('weekday-mornings')).suspend).toBe(false);
  });

  it('edit: a changed cron and zone are saved and the detail shows the new fire times', async () => {
    await d.goto('/ui/schedules/weekday-mornings');
    await d.page.getByRole('link', { name: 'Edit' }).click();
    await d.page.waitForURL('**/ui/schedules/weekday-mornings/edit');
    const cron = d.page.getByLabel(/^Cron/);
    await cron.waitFor();
    expect(await cron.inputValue()).toBe('30 2 * * 1-5');
    await cron.fill('0 6 1 * *');
    expect(await d.page.locator('#cron-explained').textContent()).toBe('✔ At 06:00 on day-of-month 1.');
    await d.page.getByLabel(/^Time zone/).fill('America/New_York');
    expect(await seriousViolations(d.page)).toEqual([]);
    await d.page.getByRole('button', { name: 'Save schedule' }).click();
    await d.page.waitForURL('**/ui/schedules/weekday-mornings');
    await d.page.getByText('(America/New_York)', { exact: false }).first().waitFor();
    const fires = await d.page.locator('ol.fires time').allTextContents();
    expect(fires.length).toBeGreaterThan(0);
    expect(fires.every((t) => /^01\/\d\d\/\d{4}, 06:00:00$/.test(t))).toBe(true);
    expect(await schedule('weekday-mornings')).toMatchObject({
      cron: '0 6 1 * *',
      timeZone: 'America/New_York',
    });
  });

  it('suspends from the detail page and runs the schedule now with its arguments', async () => {
    await d.goto('/ui/schedules/weekday-mornings');
    await d.page.getByRole('button', { name: 'Suspend' }).click();
    await d.page.locator('.big-status', { hasText: 'Suspended' }).waitFor();
    await d.page.getByRole('button', { name: 'Run now' }).click();
    await d.page.waitForURL(/\/ui\/executions\/\d+$/);
    const id = Number(d.page.url().split('/').at(-1));
    await d.page.locator('.big-status [data-status="COMPLETE"]').waitFor({ timeout: 60_000 });
    expect(await d.page.locator('.log pre').textContent()).toContain('from-schedule');
    await d.goto('/ui/schedules/weekday-mornings');
    // "Run now" is a manual launch with the schedule's arguments: it is listed under the task.
    await until(
      () => d.server.request<{ items: { id: number }[] }>('GET', '/tasks/executions?task=nightly-task'),
      (res) => res.body.items.some((e) => e.id === id),
      'the run to be listed',
    );
    expect(await seriousViolations(d.page)).toEqual([]);
    expect(d.problems).toEqual([]);
  });
});
