import { describe, expect, it } from 'vitest';
import { composedLaunchOptions } from './options.js';

describe('composedLaunchOptions', () => {
  const ids = ['extract', 'load'];

  it('reads graph-wide options, SCDF spellings and per-child ones', () => {
    const { plan, issues } = composedLaunchOptions(
      {
        'composed.maxWaitTime': '60000',
        'app.composed-task-runner.maxStartWaitTime': '5000',
        'app.composed-task-runner.ignoreExitMessage': 'true',
        'composed.splitThreadCorePoolSize': '2',
        'composed.maxGraphWaitTime': '0',
        'composed.load.maxWaitTime': '1000',
        'composed.extract.ignoreExitMessage': 'false',
        'composed.platform': 'k8s',
        'app.extract.x': 'y',
      },
      ids,
      'body.properties',
      undefined,
      false,
    );
    expect(issues).toEqual([]);
    expect(plan).toEqual({
      maxConcurrent: 2,
      ignoreExitMessage: true,
      maxWaitTime: 60_000,
      maxStartWaitTime: 5000,
      maxGraphWaitTime: 0,
      children: { load: { maxWaitTime: 1000 }, extract: { ignoreExitMessage: false } },
    });
  });

  it('bad values, unknown options and unknown children are issues naming the key', () => {
    const { issues } = composedLaunchOptions(
      {
        'composed.maxWaitTime': '-1',
        'composed.ignoreExitMessage': 'yes',
        'composed.splitThreadCorePoolSize': '0',
        'composed.nope': '1',
        'composed.ghost.maxWaitTime': '1',
      },
      ids,
    );
    expect(issues.map((i) => i.path)).toEqual([
      'body.properties.composed.maxWaitTime',
      'body.properties.composed.ignoreExitMessage',
      'body.properties.composed.splitThreadCorePoolSize',
      'body.properties.composed.nope',
      'body.properties.composed.ghost.maxWaitTime',
    ]);
    expect(issues[4]!.message).toBe("no child 'ghost' in this composed task; children: extract, load");
  });

  it('a caller may not set the keys the server writes', () => {
    const { issues } = composedLaunchOptions({ 'composed.restartOf': '1' }, ids);
    expect(issues).toEqual([
      { path: 'body.properties.composed.restartOf', message: 'reserved: the server sets this property' },
    ]);
  });

  it('the server bound is the default concurrency', () => {
    expect(composedLaunchOptions({}, ids, 'body.properties', 10).plan.maxConcurrent).toBe(10);
  });
});
