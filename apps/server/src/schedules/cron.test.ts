import { CreateScheduleBody, ScheduleName, TimeZone } from '@batchyard/core';
import { describe, expect, it } from 'vitest';
import { dueFire, fireBaseline } from './catch-up.js';
import { cronProblems, latestFireTime, nextFireTimes } from './cron.js';

const at = (iso: string) => new Date(iso);

describe('cronProblems', () => {
  it.each([
    ['* * * * *'],
    ['*/5 * * * *'],
    ['0 9 * * MON-FRI'],
    ['30 2 1,15 * *'],
    ['0 0 * JAN,JUL 0'],
    ['0 0 ? * 7'],
    ['  15 3 * * *  '],
  ])('accepts %s', (cron) => {
    expect(cronProblems(cron)).toEqual([]);
  });

  it.each([
    ['* * * *', /exactly 5 fields.*found 4/],
    ['* * * * * *', /exactly 5 fields.*found 6/],
    ['61 * * * *', /minute field '61'.*got value 61 expected range 0-59/],
    ['* 24 * * *', /hour field '24'.*expected range 0-23/],
    ['* * 32 * *', /day-of-month field '32'/],
    ['* * * 13 *', /month field '13'/],
    ['* * * * 8', /day-of-week field '8'/],
    ['*/0 * * * *', /minute field '\*\/0'/],
    ['* * L * *', /day-of-month field 'L'/],
    ['* * * * 1#2', /day-of-week field '1#2': only digits/],
    ['TZ=UTC * * * * *', /TZ= or CRON_TZ= prefix/],
    ['@daily', /macros/],
    ['', /exactly 5 fields/],
  ])('rejects %s naming the field', (cron, message) => {
    const problems = cronProblems(cron);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.path).toBe('body.cron');
    expect(problems.map((p) => p.message).join('; ')).toMatch(message);
  });

  it('reports every bad field at once', () => {
    expect(cronProblems('99 99 * * *').map((p) => p.message)).toEqual([
      expect.stringMatching(/^minute/),
      expect.stringMatching(/^hour/),
    ]);
  });
});

describe('names and time zones', () => {
  it.each([
    ['nightly', true],
    ['a'.repeat(60), true],
    ['a'.repeat(255), true],
    ['a'.repeat(256), false],
    ['Nightly', false],
    ['1nightly', false],
    ['night_ly', false],
    ['nightly-', false],
  ])('schedule name %s valid=%s', (name, ok) => {
    expect(ScheduleName.safeParse(name).success).toBe(ok);
  });

  it.each([
    ['UTC', true],
    ['Europe/Berlin', true],
    ['America/New_York', true],
    ['Mars/Olympus', false],
    ['', false],
  ])('time zone %s valid=%s', (zone, ok) => {
    expect(TimeZone.safeParse(zone).success).toBe(ok);
  });

  it('names the field of a bad body', () => {
    const r = CreateScheduleBody.safeParse({
      scheduleName: 'Bad',
      taskDefinitionName: 'x',
      cron: '* * * * *',
      timeZone: 'Nowhere/Land',
      concurrencyPolicy: 'Sometimes',
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'concurrencyPolicy',
      'scheduleName',
      'timeZone',
    ]);
  });
});

describe('fire times', () => {
  it.each([
    ['*/15 * * * *', null, '2026-03-01T10:07:00Z', ['10:15', '10:30', '10:45', '11:00', '11:15']],
    // 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC after the switch on 29 March.
    ['0 9 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z', ['03-28T08:00', '03-29T07:00', '03-30T07:00']],
    ['0 0 1 * *', 'America/New_York', '2026-01-15T00:00:00Z', ['02-01T05:00', '03-01T05:00', '04-01T04:00']],
  ])('%s in %s after %s', (cron, zone, after, expected) => {
    const times = nextFireTimes(cron, zone, at(after), expected.length).map((d) => d.toISOString());
    for (const [i, e] of expected.entries()) expect(times[i]).toContain(e);
  });

  it('counts `at` itself as the latest fire time', () => {
    expect(latestFireTime('* * * * *', null, at('2026-03-01T10:07:00Z'))?.toISOString()).toBe(
      '2026-03-01T10:07:00.000Z',
    );
    expect(latestFireTime('0 * * * *', 'UTC', at('2026-03-01T10:59:59Z'))?.toISOString()).toBe(
      '2026-03-01T10:00:00.000Z',
    );
  });
});

describe('dueFire (catch-up rule)', () => {
  const base = { cron: '*/10 * * * *', timeZone: null, startingDeadlineSeconds: null };
  it.each([
    ['nothing since the last fire', '10:10:00', '10:15:00', null, undefined],
    ['on time', '10:00:00', '10:10:00', null, '10:10'],
    ['a few seconds late', '10:00:00', '10:10:04', null, '10:10'],
    ['missed several while down: only the latest, once', '06:00:00', '10:12:00', null, '10:10'],
    ['latest too old for the default deadline (300 s)', '06:00:00', '10:16:00', null, 'missed'],
    ['latest within a longer deadline', '06:00:00', '10:16:00', 600, '10:10'],
    ['a short deadline skips a late fire', '10:00:00', '10:10:30', 10, 'missed'],
  ])('%s', (_, since, now, deadline, expected) => {
    const d = dueFire({
      ...base,
      since: at(`2026-03-01T${since}Z`),
      now: at(`2026-03-01T${now}Z`),
      startingDeadlineSeconds: deadline,
    });
    if (expected === undefined) expect(d).toEqual({ fire: false });
    else if (expected === 'missed') expect(d).toMatchObject({ fire: false, missed: expect.any(Date) });
    else expect(d).toEqual({ fire: true, fireTime: at(`2026-03-01T${expected}:00Z`) });
  });

  it('the baseline is the later of the last fire and the last edit', () => {
    const updatedAt = at('2026-03-01T10:05:00Z');
    expect(fireBaseline({ lastFireTime: null, updatedAt })).toEqual(updatedAt);
    expect(fireBaseline({ lastFireTime: at('2026-03-01T10:10:00Z'), updatedAt })).toEqual(
      at('2026-03-01T10:10:00Z'),
    );
    expect(fireBaseline({ lastFireTime: at('2026-03-01T09:00:00Z'), updatedAt })).toEqual(updatedAt);
  });
});
