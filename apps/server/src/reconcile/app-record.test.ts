import { describe, expect, it } from 'vitest';
import { withAppRecord } from './app-record.js';

describe('withAppRecord', () => {
  const app = { exitMessage: 'RETRY', errorMessage: 'java.lang.IllegalStateException: bad row' };
  it.each([
    ['a running update ignores the app', { status: 'RUNNING' as const }, app, { status: 'RUNNING' }],
    [
      'no app row: unchanged',
      { status: 'FAILED' as const, exitCode: 1 },
      null,
      { status: 'FAILED', exitCode: 1 },
    ],
    [
      'terminal: the exit message and the error message are the app’s',
      { status: 'FAILED' as const, exitCode: 1 },
      app,
      { status: 'FAILED', exitCode: 1, exitMessage: 'RETRY', errorMessage: app.errorMessage },
    ],
    [
      'the platform’s reason wins over the app’s error message; the status stays the platform’s',
      { status: 'FAILED' as const, exitCode: 137, reason: 'OOMKilled', errorMessage: 'OOMKilled' },
      { exitMessage: 'COMPLETED', errorMessage: null },
      {
        status: 'FAILED',
        exitCode: 137,
        reason: 'OOMKilled',
        errorMessage: 'OOMKilled',
        exitMessage: 'COMPLETED',
      },
    ],
    [
      'an app that wrote nothing adds nothing',
      { status: 'COMPLETE' as const },
      { exitMessage: null, errorMessage: null },
      { status: 'COMPLETE' },
    ],
  ])('%s', (_name, update, record, expected) => {
    expect(withAppRecord(update, record)).toEqual(expected);
  });
});
