import { describe, expect, it } from 'vitest';
import { liftScdfCron } from './schedule-properties.js';

describe('liftScdfCron', () => {
  it('moves scheduler.cron.expression into cron and out of the properties', () => {
    expect(
      liftScdfCron({ scheduleName: 'n', properties: { 'scheduler.cron.expression': '0 2 * * *', a: 'b' } }),
    ).toEqual({ scheduleName: 'n', cron: '0 2 * * *', properties: { a: 'b' } });
  });

  it('leaves other bodies, and bodies giving both forms, alone', () => {
    const both = { cron: '1 * * * *', properties: { 'scheduler.cron.expression': '2 * * * *' } };
    expect(liftScdfCron(both)).toBe(both);
    expect(liftScdfCron({ cron: '1 * * * *' })).toEqual({ cron: '1 * * * *' });
    expect(liftScdfCron(null)).toBeNull();
    expect(liftScdfCron([1])).toEqual([1]);
  });
});
