import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { expiredJobs } from './job-ttl.js';

const job = (
  name: string,
  condition: string | undefined,
  at: string,
  ttl?: number,
  deleting = false,
): V1Job => ({
  metadata: { name, ...(deleting ? { deletionTimestamp: new Date(at) } : {}) },
  spec: { template: {}, ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}) },
  status: condition
    ? { conditions: [{ type: condition, status: 'True', lastTransitionTime: new Date(at) }] }
    : { active: 1 },
});

describe('expiredJobs', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  it.each<[string, V1Job, boolean]>([
    ['complete, TTL passed', job('a', 'Complete', '2026-11-22T11:00:00Z', 600), true],
    ['complete, TTL not yet passed', job('b', 'Complete', '2026-11-22T11:55:00Z', 600), false],
    ['failed, TTL passed', job('c', 'Failed', '2026-11-22T11:00:00Z', 60), true],
    ['1.31+ FailureTarget counts as finished', job('d', 'FailureTarget', '2026-11-22T11:00:00Z', 60), true],
    ['running', job('e', undefined, '2026-11-22T00:00:00Z', 0), false],
    ['default TTL of one day', job('f', 'Complete', '2026-11-21T11:00:00Z'), true],
    ['default TTL not yet passed', job('g', 'Complete', '2026-11-22T00:00:00Z'), false],
    ['already being deleted', job('h', 'Complete', '2026-11-22T11:00:00Z', 60, true), false],
  ])('%s', (_name, j, expected) => {
    expect(expiredJobs([j], now)).toEqual(expected ? [j.metadata?.name] : []);
  });
});
