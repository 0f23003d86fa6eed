import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import { counterValue, type ErrorBody, startTestServer, type TestServer } from './harness.js';

interface Schedule {
  name: string;
  cron: string;
  timeZone: string | null;
  suspend: boolean;
  lastFireTime: string | null;
  nextFireTimes: string[];
  lastScheduleTime: string | null;
  recentExecutions: { id: number; status: string }[];
  properties: Record<string, string>;
}
interface Execution {
  id: number;
  status: string;
  scheduleName: string | null;
  arguments: string[];
}

const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));
const MINUTE = 60_000;
/** A minute boundary at least a minute ahead of the real clock (edits reset the baseline to now). */
const futureMinute = () => new Date((Math.floor(Date.now() / MINUTE) + 2) * MINUTE);

describe('schedules on the local platform', () => {
  let s: TestServer;
  const tick = (at: Date) => s.app.localScheduler.tick(at);
  const create = (body: Record<string, unknown>) =>
    s.request<Schedule & ErrorBody>('POST', '/tasks/schedules', {
      taskDefinitionName: 'hello',
      cron: '* * * * *',
      ...body,
    });
  const execution = (id: number) =>
    s.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-schedules-'));
    // A key, so a schedule's secret-looking values can be kept sealed (without one they are refused).
    s = await startTestServer(
      {
        BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]),
        BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
      },
      { yaml: { redaction: { encryptionKey: randomBytes(32).toString('base64') } } },
    );
    await s.request('POST', '/apps/task/scripted/1.0', { uri: 'local:scripted', command: ['node', SCRIPT] });
    await s.request('POST', '/tasks/definitions', { name: 'hello', definition: 'scripted --print=hi' });
    await s.request('POST', '/tasks/definitions', { name: 'other', definition: 'scripted' });
    await s.request('POST', '/tasks/definitions', {
      name: 'both',
      definition: 'first: scripted && second: scripted',
    });
  });
  afterAll(() => s.close());

  it.each([
    [{ cron: '61 * * * *' }, 'body.cron', /minute field '61'/],
    [{ cron: '* * * *' }, 'body.cron', /exactly 5 fields/],
    [{ cron: '0 9 * * FOO' }, 'body.cron', /day-of-week field 'FOO'/],
    [{ timeZone: 'Mars/Olympus' }, 'body.timeZone', /IANA/],
    [{ scheduleName: 'Nightly' }, 'body.scheduleName', /lowercase/],
    [{ scheduleName: 'x'.repeat(256) }, 'body.scheduleName', /at most 255/],
    [{ taskDefinitionName: 'missing' }, 'body.taskDefinitionName', /does not exist/],
    [{ taskDefinitionName: 'both' }, 'body.taskDefinitionName', /composed task/],
    [{ concurrencyPolicy: 'Sometimes' }, 'body.concurrencyPolicy', /Allow/],
    [{ startingDeadlineSeconds: -1 }, 'body.startingDeadlineSeconds', /./],
  ])('refuses %j with a 400 naming %s', async (patch, path, message) => {
    const r = await create({ scheduleName: 'bad', ...patch });
    expect(r.status).toBe(400);
    const detail = r.body.details.find((d) => d.path === path);
    expect(detail?.message, JSON.stringify(r.body)).toMatch(message);
  });

  it('validates properties exactly like a launch', async () => {
    const r = await create({
      scheduleName: 'bad-props',
      properties: { 'deployer.scripted.noSuchKey': '1' },
    });
    expect(r.status).toBe(400);
    expect(r.body.details[0]?.path).toMatch(/^body\.properties\.deployer\.scripted/);
  });

  it('fires once per fire time, as a launch carrying the schedule name', async () => {
    const name = `every-minute-${'x'.repeat(47)}`; // 60 characters
    expect(name).toHaveLength(60);
    const r = await create({ scheduleName: name, arguments: ['--extra=1'] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name, cron: '* * * * *', suspend: false, lastFireTime: null });
    expect((await s.request('POST', '/tasks/schedules', { ...r.body, scheduleName: name })).status).toBe(400);
    expect((await create({ scheduleName: name })).status).toBe(409);

    const fired = { result: 'launched', source: 'schedule' };
    const firedBefore = await counterValue(s, 'batchyard_task_launches_total', fired);
    const t0 = futureMinute();
    const [first, ...more] = await tick(t0);
    expect(more, JSON.stringify(first)).toEqual([]);
    expect(first).toMatchObject({ schedule: name, fireTime: t0, executionId: expect.any(Number) });
    expect(await tick(t0)).toEqual([]); // the same fire time again: nothing
    expect(await tick(new Date(t0.getTime() + 30_000))).toEqual([]);
    const done = await until(
      () => execution(first!.executionId!),
      (e) => e.status === 'COMPLETE',
      'the fired execution to complete',
    );
    expect(done).toMatchObject({ scheduleName: name, arguments: ['--extra=1'] });
    // Counted as a schedule's launch, once.
    expect(await counterValue(s, 'batchyard_task_launches_total', fired)).toBe(firedBefore + 1);

    const second = await tick(new Date(t0.getTime() + MINUTE + 2000));
    expect(second).toHaveLength(1);
    const shown = await s.request<Schedule>('GET', `/tasks/schedules/${name}`);
    expect(shown.body.lastFireTime).toBe(new Date(t0.getTime() + MINUTE).toISOString());
    expect(shown.body.lastScheduleTime).toBe(shown.body.lastFireTime);
    expect(shown.body.nextFireTimes).toHaveLength(5);
    expect(shown.body.recentExecutions.map((e) => e.id)).toEqual([
      second[0]!.executionId,
      first!.executionId,
    ]);
  });

  it('catches up only the latest missed fire, and only within the starting deadline', async () => {
    await create({ scheduleName: 'catch-up', cron: '0 * * * *' });
    const HOUR = 60 * MINUTE;
    const late = new Date(Math.ceil(futureMinute().getTime() / HOUR) * HOUR + 2 * HOUR + 10 * MINUTE);
    // Two hours of missed fires, the latest 10 minutes old: over the default 300 s deadline.
    expect((await tick(late)).filter((f) => f.schedule === 'catch-up')).toEqual([]);
    await s.request('PATCH', '/tasks/schedules/catch-up', { startingDeadlineSeconds: 900 });
    const fired = (await tick(late)).filter((f) => f.schedule === 'catch-up');
    expect(fired.map((f) => f.fireTime)).toEqual([new Date(late.getTime() - 10 * MINUTE)]);
    await s.request('DELETE', '/tasks/schedules/catch-up');
  });

  it('edits in place, suspends and resumes', async () => {
    await create({ scheduleName: 'editable', cron: '0 3 * * *', timeZone: 'Europe/Berlin' });
    const put = await s.request<Schedule>('PUT', '/tasks/schedules/editable', {
      taskDefinitionName: 'hello',
      cron: '30 4 * * *',
      properties: { 'app.scripted.mode': 'slow', 'app.scripted.password': 'hunter2' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ cron: '30 4 * * *', timeZone: null });
    expect(put.body.properties['app.scripted.password']).toBe('******');
    const bad = await s.request<ErrorBody>('PATCH', '/tasks/schedules/editable', { cron: '* 99 * * *' });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]).toMatchObject({ path: 'body.cron', message: expect.stringMatching(/^hour/) });

    const patched = await s.request<Schedule>('PATCH', '/tasks/schedules/editable', {
      cron: '* * * * *',
      timeZone: 'America/New_York',
    });
    expect(patched.body).toMatchObject({ cron: '* * * * *', timeZone: 'America/New_York' });
    const suspended = await s.request<Schedule>('POST', '/tasks/schedules/editable/suspend');
    expect(suspended.body.suspend).toBe(true);
    const t0 = futureMinute();
    expect((await tick(t0)).filter((f) => f.schedule === 'editable')).toEqual([]);
    expect((await s.request<Schedule>('GET', '/tasks/schedules/editable')).body.nextFireTimes).toEqual([]);
    const resumed = await s.request<Schedule>('POST', '/tasks/schedules/editable/resume');
    expect(resumed.body.suspend).toBe(false);
    const fired = (await tick(new Date(t0.getTime() + MINUTE))).filter((f) => f.schedule === 'editable');
    expect(fired).toHaveLength(1);
  });

  it('Forbid skips a fire while the previous run is active', async () => {
    await create({ scheduleName: 'slow', arguments: ['--sleep=60000'], concurrencyPolicy: 'Forbid' });
    const t0 = futureMinute();
    const [first] = (await tick(t0)).filter((f) => f.schedule === 'slow');
    expect(first?.executionId).toEqual(expect.any(Number));
    const [second] = (await tick(new Date(t0.getTime() + MINUTE))).filter((f) => f.schedule === 'slow');
    expect(second).toMatchObject({ executionId: null });
    await s.request('POST', `/tasks/executions/${first!.executionId}/stop`);
    await s.request('DELETE', '/tasks/schedules/slow');
  });

  it('Replace stops the previous run before launching the next', async () => {
    await create({ scheduleName: 'replacing', arguments: ['--sleep=60000'], concurrencyPolicy: 'Replace' });
    const t0 = futureMinute();
    const [first] = (await tick(t0)).filter((f) => f.schedule === 'replacing');
    await until(
      () => execution(first!.executionId!),
      (e) => e.status === 'RUNNING',
      'the first run to be RUNNING',
    );
    const [second] = (await tick(new Date(t0.getTime() + MINUTE))).filter((f) => f.schedule === 'replacing');
    expect(second?.executionId).toEqual(expect.any(Number));
    await until(
      () => execution(first!.executionId!),
      (e) => e.status === 'STOPPED',
      'the first run to be STOPPED',
    );
    await s.request('POST', `/tasks/executions/${second!.executionId}/stop`);
    await s.request('DELETE', '/tasks/schedules/replacing');
  });

  it('lists with keyset paging and a definition filter', async () => {
    for (const n of ['list-a', 'list-b', 'list-c']) {
      await create({ scheduleName: n, taskDefinitionName: 'other', suspend: true });
    }
    const page1 = await s.request<{ items: Schedule[]; page: { next: string | null } }>(
      'GET',
      '/tasks/schedules?taskDefinitionName=other&size=2&total=true',
    );
    expect(page1.body.items.map((i) => i.name)).toEqual(['list-a', 'list-b']);
    const page2 = await s.request<{ items: Schedule[]; page: { next: string | null } }>(
      'GET',
      `/tasks/schedules?taskDefinitionName=other&size=2&cursor=${page1.body.page.next}`,
    );
    expect(page2.body.items.map((i) => i.name)).toEqual(['list-c']);
    expect(page2.body.page.next).toBeNull();
    expect((await s.request('GET', '/tasks/schedules?size=0')).status).toBe(400);
  });

  it('lists each schedule with its next fire time (none while suspended), the first of the detail', async () => {
    await create({ scheduleName: 'next-fire', cron: '45 5 * * *', timeZone: 'Asia/Tokyo' });
    await create({ scheduleName: 'next-suspended', suspend: true });
    const list = await s.request<{ items: (Schedule & { nextFireTime: string | null })[] }>(
      'GET',
      '/tasks/schedules?taskDefinitionName=hello&size=100',
    );
    const item = (n: string) => list.body.items.find((i) => i.name === n);
    const detail = await s.request<Schedule>('GET', '/tasks/schedules/next-fire');
    expect(item('next-fire')?.nextFireTime).toBe(detail.body.nextFireTimes[0]);
    // 05:45 in Tokyo (UTC+9, no daylight saving) is 20:45 UTC.
    expect(item('next-fire')?.nextFireTime).toMatch(/T20:45:00\.000Z$/);
    expect(item('next-suspended')?.nextFireTime).toBeNull();
    await s.request('DELETE', '/tasks/schedules/next-fire');
    await s.request('DELETE', '/tasks/schedules/next-suspended');
  });

  it('deletes one, all of a definition, and guards deleting a definition with schedules', async () => {
    expect((await s.request('DELETE', '/tasks/schedules/list-a')).status).toBe(204);
    expect((await s.request('GET', '/tasks/schedules/list-a')).status).toBe(404);
    expect((await s.request('DELETE', '/tasks/schedules/list-a')).status).toBe(404);
    const refused = await s.request<ErrorBody>('DELETE', '/tasks/definitions/other');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('list-b, list-c');
    expect((await s.request('DELETE', '/tasks/definitions/other?schedules=delete')).status).toBe(204);
    expect((await s.request('GET', '/tasks/schedules/list-b')).status).toBe(404);
    await create({ scheduleName: 'bulk-1', suspend: true });
    await create({ scheduleName: 'bulk-2', suspend: true });
    const bulk = await s.request<{ deleted: number }>('DELETE', '/tasks/schedules?taskDefinitionName=hello');
    expect(bulk.body.deleted).toBeGreaterThanOrEqual(2);
    expect((await s.request('DELETE', '/tasks/schedules')).status).toBe(400);
  });

  it('never lets a schedule outlive its definition when a create and a delete race', async () => {
    for (let round = 0; round < 20; round++) {
      const name = `race-${round}`;
      await s.request('POST', '/tasks/definitions', { name, definition: 'scripted' });
      const [scheduled, deleted] = await Promise.all([
        s.request<ErrorBody>('POST', '/tasks/schedules', {
          scheduleName: `${name}-nightly`,
          taskDefinitionName: name,
          cron: '0 3 * * *',
        }),
        s.request<ErrorBody>('DELETE', `/tasks/definitions/${name}`),
      ]);
      // Either the schedule came first (and the delete is refused), or the delete did (and the
      // schedule names a definition that no longer exists): never both.
      const outcome = `${scheduled.status}/${deleted.status}`;
      expect(['201/409', '400/204'], JSON.stringify([scheduled.body, deleted.body])).toContain(outcome);
      const definition = await s.request('GET', `/tasks/definitions/${name}`);
      const schedule = await s.request('GET', `/tasks/schedules/${name}-nightly`);
      expect(definition.status === 200).toBe(schedule.status === 200);
    }
  });

  it('deletes every definition only with every schedule, when asked', async () => {
    await create({ scheduleName: 'last-one', suspend: true });
    const refused = await s.request<ErrorBody>('DELETE', '/tasks/definitions');
    expect(refused.status).toBe(409);
    expect(refused.body.details).toContainEqual({ path: 'schedules', message: 'last-one' });
    expect((await s.request('GET', '/tasks/definitions/hello')).status).toBe(200);
    const all = await s.request<{ deleted: number }>('DELETE', '/tasks/definitions?schedules=delete');
    expect(all.status).toBe(200);
    expect(all.body.deleted).toBeGreaterThan(0);
    const left = await s.request<{ items: Schedule[] }>('GET', '/tasks/schedules');
    expect(left.body.items).toEqual([]);
    const definitions = await s.request<{ items: unknown[] }>('GET', '/tasks/definitions');
    expect(definitions.body.items).toEqual([]);
  });
});
