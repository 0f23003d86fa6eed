import { describe, expect, it } from 'vitest';
import { toObjectEvents } from './events.js';
import * as E from './testdata/events.js';

describe('toObjectEvents', () => {
  it('orders oldest first and keeps what a user needs: when, type, reason, message, object, count, source', () => {
    const events = toObjectEvents([E.scheduled(), E.webhookDenied('2026-11-22T02:00:01Z')]);
    expect(events.map((e) => e.reason)).toEqual(['FailedCreate', 'SuccessfulCreate']);
    expect(events[0]).toEqual({
      time: '2026-11-22T02:00:01.000Z',
      type: 'Warning',
      reason: 'FailedCreate',
      message: expect.stringContaining('denied the request'),
      object: { kind: 'Job', name: 'nightly-import-42' },
      count: 1,
      source: 'job-controller',
    });
  });

  it('reads watch-event JSON (string times) and events without timestamps', () => {
    const raw = { ...E.quotaExceeded(), lastTimestamp: '2026-11-22T02:05:00Z' as unknown as Date };
    const bare = { ...E.scheduled(), lastTimestamp: undefined, count: undefined, source: undefined };
    const events = toObjectEvents([raw, bare]);
    expect(events.map((e) => e.time)).toEqual([null, '2026-11-22T02:05:00.000Z']);
    expect(events[0]).toMatchObject({ count: 1, source: null });
  });
});
