import { describe, expect, it } from 'vitest';
import { decide, observe, timingProblem } from './decide.js';

const record = (holder: string | undefined, version = '1') => ({
  holder,
  leaseDurationMs: 15_000,
  transitions: 0,
  version,
});

describe('decide (client-go leader election)', () => {
  it('acquires a lease nobody holds, renews its own', () => {
    expect(decide(undefined, 'a', 0)).toBe('acquire');
    expect(decide({ record: record(undefined), observedAt: 0 }, 'a', 0)).toBe('acquire');
    expect(decide({ record: record('a'), observedAt: 0 }, 'a', 1_000_000)).toBe('renew');
  });

  it("waits a whole lease duration after it last saw another's record change", () => {
    const seen = { record: record('b'), observedAt: 1_000 };
    expect(decide(seen, 'a', 15_999)).toBe('held-by-other');
    expect(decide(seen, 'a', 16_000)).toBe('acquire');
  });

  it('restarts the wait when the holder renews (the version changes), whatever the clocks say', () => {
    const first = observe(undefined, record('b', '1'), 1_000);
    const same = observe(first, record('b', '1'), 9_000);
    expect(same.observedAt).toBe(1_000);
    const renewed = observe(same, record('b', '2'), 9_000);
    expect(renewed.observedAt).toBe(9_000);
    expect(decide(renewed, 'a', 20_000)).toBe('held-by-other');
  });

  it('refuses timings where a deposed leader could overlap its successor', () => {
    expect(
      timingProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
    ).toBeUndefined();
    expect(timingProblem({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toMatch(
      /shorter/,
    );
  });
});
