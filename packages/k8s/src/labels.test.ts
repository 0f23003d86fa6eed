import { describe, expect, it } from 'vitest';
import { emptyDeployerProperties } from './deployer-types.js';
import { buildJob } from './job-builder.js';
import { executionSelector, MANAGED_SELECTOR, readLaunchIdentity, scheduleSelector } from './labels.js';
import { podsOfJob } from './observed.js';
import { jobActive120 } from './testdata/jobs.js';
import { podRunning } from './testdata/pods.js';

describe('labels and identity', () => {
  it('reads back what the builder wrote, preferring unsanitised annotations', () => {
    const job = buildJob({
      executionId: 9,
      taskName: 'Nightly Import!',
      appName: 'etl',
      accountName: 'default',
      namespace: 'batch',
      image: 'x:1',
      args: [],
      databaseSecret: { name: 'db', key: 'url' },
      properties: emptyDeployerProperties(),
      scheduleName: 'nightly',
    });
    expect(readLaunchIdentity(job)).toEqual({
      executionId: '9',
      taskName: 'Nightly Import!',
      appName: 'etl',
      accountName: 'default',
      scheduleName: 'nightly',
      managed: true,
    });
    expect(readLaunchIdentity({ metadata: {} }).managed).toBe(false);
  });

  it('builds selectors', () => {
    expect(MANAGED_SELECTOR).toBe('app.kubernetes.io/managed-by=batchyard');
    expect(executionSelector(42n)).toBe(
      'app.kubernetes.io/managed-by=batchyard,batchyard.io/execution-id=42',
    );
    expect(scheduleSelector('Nightly.ETL')).toBe(
      'app.kubernetes.io/managed-by=batchyard,batchyard.io/schedule-name=Nightly.ETL',
    );
  });

  it('finds a Job’s pods by owner uid or job-name label', () => {
    const job = jobActive120();
    const own = podRunning();
    const other = podRunning();
    other.metadata!.ownerReferences![0]!.uid = 'another-uid';
    const labelled = podRunning();
    labelled.metadata!.ownerReferences = [];
    const elsewhere = podRunning();
    elsewhere.metadata!.namespace = 'other';
    expect(podsOfJob(job, [own, other, labelled, elsewhere])).toEqual([own, labelled]);
  });
});
