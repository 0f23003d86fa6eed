import { describe, expect, it } from 'vitest';
import { canTransition, TASK_STATUSES, type TaskStatus } from './task-status.js';

describe('canTransition', () => {
  it.each<[TaskStatus, TaskStatus, boolean]>([
    ['QUEUED', 'LAUNCHING', true],
    ['LAUNCHING', 'PENDING', true],
    ['LAUNCHING', 'RUNNING', true],
    ['PENDING', 'RUNNING', true],
    ['RUNNING', 'PENDING', false],
    ['RUNNING', 'COMPLETE', true],
    ['RUNNING', 'FAILED', true],
    ['PENDING', 'FAILED', true],
    ['LAUNCHING', 'LOST', true],
    ['RUNNING', 'STOPPING', true],
    ['QUEUED', 'STOPPING', false],
    ['QUEUED', 'STOPPED', true],
    ['STOPPING', 'RUNNING', false],
    ['STOPPING', 'STOPPED', true],
    ['STOPPING', 'FAILED', true],
    ['COMPLETE', 'FAILED', false],
    ['FAILED', 'COMPLETE', false],
    ['LOST', 'RUNNING', false],
    ['RUNNING', 'RUNNING', false],
  ])('%s → %s: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('never leaves a terminal state', () => {
    for (const from of ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'] as const) {
      for (const to of TASK_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
  });
});
