import { describe, expect, it } from 'vitest';
import type { Observation } from '../platform/types.js';
import { decideUpdate, type RecordedExecution } from './decide.js';

const now = new Date('2026-01-01T00:00:10Z');
const started = new Date('2026-01-01T00:00:01Z');
const ended = new Date('2026-01-01T00:00:09Z');
const obs = (o: Partial<Observation>): Observation => ({ externalId: 'j', status: 'RUNNING', ...o });
const rec = (status: RecordedExecution['status'], startTime: Date | null = null): RecordedExecution => ({
  status,
  startTime,
});

describe('decideUpdate', () => {
  it.each<[string, RecordedExecution, Observation, ReturnType<typeof decideUpdate>]>([
    [
      'pending → running takes the start time',
      rec('PENDING'),
      obs({ startTime: started }),
      { status: 'RUNNING', startTime: started },
    ],
    [
      'running without a start time uses now',
      rec('LAUNCHING'),
      obs({}),
      { status: 'RUNNING', startTime: now },
    ],
    [
      'running → complete',
      rec('RUNNING', started),
      obs({ status: 'COMPLETE', exitCode: 0, endTime: ended }),
      { status: 'COMPLETE', exitCode: 0, endTime: ended },
    ],
    [
      'failure keeps exit code, reason and message',
      rec('RUNNING', started),
      obs({
        status: 'FAILED',
        exitCode: 137,
        reason: 'OOMKilled',
        message: 'container exceeded its memory limit',
      }),
      {
        status: 'FAILED',
        exitCode: 137,
        reason: 'OOMKilled',
        errorMessage: 'container exceeded its memory limit',
        endTime: now,
      },
    ],
    [
      'stopping + SIGTERM exit = STOPPED',
      rec('STOPPING', started),
      obs({ status: 'FAILED', exitCode: 143, reason: 'Signal15' }),
      { status: 'STOPPED', exitCode: 143, reason: 'Signal15', errorMessage: undefined, endTime: now },
    ],
    [
      'stopping + resource gone = STOPPED',
      rec('STOPPING', started),
      obs({ status: 'LOST' }),
      { status: 'STOPPED', endTime: now },
    ],
    [
      'stopping but it had completed = COMPLETE (the truth wins)',
      rec('STOPPING', started),
      obs({ status: 'COMPLETE', exitCode: 0 }),
      { status: 'COMPLETE', exitCode: 0, endTime: now },
    ],
    [
      'resource gone while running = LOST',
      rec('RUNNING', started),
      obs({ status: 'LOST' }),
      { status: 'LOST', reason: 'PlatformResourceGone', endTime: now },
    ],
    ['late pending after running is ignored', rec('RUNNING', started), obs({ status: 'PENDING' }), undefined],
    [
      'terminal rows never change',
      rec('COMPLETE', started),
      obs({ status: 'FAILED', exitCode: 1 }),
      undefined,
    ],
    ['same status is no change', rec('RUNNING', started), obs({ status: 'RUNNING' }), undefined],
  ])('%s', (_name, recorded, o, expected) => {
    const actual = decideUpdate(recorded, o, now);
    if (expected === undefined) expect(actual).toBeUndefined();
    else expect(JSON.parse(JSON.stringify(actual))).toEqual(JSON.parse(JSON.stringify(expected)));
  });
});
