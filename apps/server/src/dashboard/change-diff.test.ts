import type { DashboardEvent } from '@batchyard/core';
import { describe, expect, it } from 'vitest';
import { diffSnapshots, snapshotOf } from './change-diff.js';

const step = (readCount: number, status: 'STARTED' | 'COMPLETED' = 'STARTED'): DashboardEvent => ({
  topic: 'steps',
  id: 7,
  jobExecutionId: 3,
  status,
  readCount,
  writeCount: readCount,
  commitCount: 1,
});

describe('diffSnapshots', () => {
  it('reports nothing on the first look (there is nothing to compare with)', () => {
    expect(diffSnapshots(undefined, snapshotOf([step(1)]))).toEqual([]);
  });

  it('reports new rows and rows whose status or counters moved, not unchanged ones', () => {
    const before = snapshotOf([step(1), { topic: 'executions', id: 1, status: 'RUNNING' }]);
    const after = snapshotOf([
      step(5),
      { topic: 'executions', id: 1, status: 'RUNNING' },
      { topic: 'executions', id: 2, status: 'QUEUED' },
      { topic: 'jobs', id: 1, status: 'STARTED' },
    ]);
    expect(diffSnapshots(before, after)).toEqual([
      step(5),
      { topic: 'executions', id: 2, status: 'QUEUED' },
      { topic: 'jobs', id: 1, status: 'STARTED' },
    ]);
  });

  it('keys rows by topic, so a job and an execution with the same id are distinct', () => {
    const before = snapshotOf([{ topic: 'executions', id: 1, status: 'RUNNING' }]);
    const after = snapshotOf([
      { topic: 'executions', id: 1, status: 'RUNNING' },
      { topic: 'jobs', id: 1, status: 'STARTED' },
    ]);
    expect(diffSnapshots(before, after)).toEqual([{ topic: 'jobs', id: 1, status: 'STARTED' }]);
  });
});
