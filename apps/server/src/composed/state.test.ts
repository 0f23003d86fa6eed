import { describe, expect, it } from 'vitest';
import { childOutcomes, childProperties, outcomeOf, parentEnd } from './state.js';

describe('childProperties', () => {
  const parent = {
    'app.clean.mode': 'strict',
    'app.*.date': 'today',
    'app.clean.date': 'yesterday',
    'deployer.clean.limits.memory': '1Gi',
    'deployer.*.requests.cpu': '250m',
    'version.clean': '2.0',
    'app.load.x': 'other child',
    'version.load': '9',
    'composed.restartOf': '12',
  };
  it.each([
    [
      'a labelled child gets its label-keyed properties under its app name',
      { id: 'clean', appName: 'scripted' },
      {
        'app.scripted.mode': 'strict',
        'app.scripted.date': 'yesterday',
        'deployer.scripted.limits.memory': '1Gi',
        'deployer.scripted.requests.cpu': '250m',
        'version.scripted': '2.0',
      },
    ],
    [
      'another child gets the wildcards and its own keys only',
      { id: 'enrich', appName: 'scripted' },
      { 'app.scripted.date': 'today', 'deployer.scripted.requests.cpu': '250m' },
    ],
    [
      'an unlabelled child is addressed by its app name',
      { id: 'load', appName: 'load' },
      {
        'app.load.x': 'other child',
        'app.load.date': 'today',
        'deployer.load.requests.cpu': '250m',
        'version.load': '9',
      },
    ],
  ])('%s', (_what, child, expected) => {
    expect(childProperties(parent, child)).toEqual(expected);
  });
});

describe('outcomes', () => {
  it.each([
    [{ status: 'QUEUED', exitCode: null, exitMessage: null }, { state: 'RUNNING' }],
    [{ status: 'STOPPING', exitCode: null, exitMessage: null }, { state: 'RUNNING' }],
    [
      { status: 'COMPLETE', exitCode: 0, exitMessage: null },
      { state: 'TERMINAL', status: 'COMPLETE', exitCode: 0, exitMessage: null },
    ],
    [
      { status: 'FAILED', exitCode: 3, exitMessage: 'RETRY' },
      { state: 'TERMINAL', status: 'FAILED', exitCode: 3, exitMessage: 'RETRY' },
    ],
  ])('row %j is %j', (row, outcome) => {
    expect(outcomeOf({ taskName: 't-a', ...row })).toEqual(outcome);
  });

  it('keys rows by node id, ignores strangers and lays rows over inherited outcomes', () => {
    const done = { state: 'TERMINAL', status: 'COMPLETE', exitCode: 0 } as const;
    const rows = [
      { taskName: 'etl-clean', status: 'RUNNING', exitCode: null, exitMessage: null },
      { taskName: 'other-x', status: 'RUNNING', exitCode: null, exitMessage: null },
    ];
    expect(childOutcomes('etl', rows, { extract: done, clean: done })).toEqual({
      extract: done,
      clean: { state: 'RUNNING' },
    });
  });

  it('ends the parent with exit code 0 only when complete', () => {
    expect(parentEnd({ status: 'COMPLETE', reason: 'done' })).toEqual({
      status: 'COMPLETE',
      exitCode: 0,
      exitMessage: 'done',
    });
    expect(parentEnd({ status: 'STOPPED', reason: 's' }).exitCode).toBe(1);
  });
});
