import { describe, expect, it } from 'vitest';
import { explainCron } from './cron.js';

describe('explainCron', () => {
  it.each([
    ['0 2 * * *', 'At 02:00, every day.'],
    ['30 6 * * 1-5', 'At 06:30 on Monday through Friday.'],
    ['*/15 * * * *', 'Every 15 minutes, every day.'],
    ['0 0 1 1 *', 'At 00:00 on day-of-month 1 in January.'],
    ['@hourly', 'At minute 0, every day.'],
    ['5 */2 * * sun', 'At minute 5, every 2 hours on Sunday.'],
    ['0 9 * 3,6 *', 'At 09:00, every day in March, June.'],
  ])('%s → %s', (cron, text) => {
    expect(explainCron(cron)).toEqual({ ok: true, text });
  });

  it.each([
    ['* * *', 'expected 5 fields'],
    ['61 * * * *', "minute '61' is out of range 0–59"],
    ['0 0 * 13 *', "month '13' is out of range 1–12"],
    ['*/0 * * * *', 'must be a positive integer'],
  ])('%s is explained as an error', (cron, error) => {
    const r = explainCron(cron);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toContain(error);
  });
});
