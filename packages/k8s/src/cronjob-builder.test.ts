import { describe, expect, it } from 'vitest';
import { buildCronJob, type CronJobBuildInput, cronScheduleError, timeZoneError } from './cronjob-builder.js';
import { emptyDeployerProperties } from './deployer-types.js';
import { buildJob } from './job-builder.js';
import { EXECUTION_ID_KEY, SCHEDULE_NAME_KEY } from './labels.js';

const input: CronJobBuildInput = {
  scheduleName: 'nightly-import',
  schedule: '0 2 * * *',
  taskName: 'nightly-import',
  appName: 'etl',
  accountName: 'default',
  namespace: 'batch',
  image: 'batchyard/worker-sample:1.0',
  args: ['--chunkSize=500'],
  databaseSecret: { name: 'batchyard-db', key: 'url' },
  properties: emptyDeployerProperties(),
};

describe('buildCronJob', () => {
  it('builds batch/v1beta1 for Kubernetes 1.20', () => {
    expect(buildCronJob(input, { apiVersion: 'batch/v1beta1', timeZone: false })).toMatchSnapshot();
  });

  it('builds batch/v1 with a time zone where supported', () => {
    const cronJob = buildCronJob(
      { ...input, timeZone: 'Europe/Berlin', suspend: true, concurrencyPolicy: 'Replace' },
      { apiVersion: 'batch/v1', timeZone: true },
    );
    expect(cronJob.apiVersion).toBe('batch/v1');
    expect(cronJob.spec).toMatchObject({
      timeZone: 'Europe/Berlin',
      suspend: true,
      concurrencyPolicy: 'Replace',
    });
  });

  it('uses exactly the manual-launch Job as template, minus the execution id, plus the schedule', () => {
    const cronJob = buildCronJob(input, { apiVersion: 'batch/v1', timeZone: true });
    const job = buildJob({ ...input, executionId: 7 });
    const template = cronJob.spec?.jobTemplate;
    const { [EXECUTION_ID_KEY]: _id, ...jobLabels } = job.metadata?.labels ?? {};
    expect(template?.metadata?.labels).toEqual({ ...jobLabels, [SCHEDULE_NAME_KEY]: 'nightly-import' });
    const templateEnv = template?.spec?.template.spec?.containers[0]?.env?.map((e) => e.name);
    const jobEnv = job.spec?.template.spec?.containers[0]?.env?.map((e) => e.name);
    expect(templateEnv).toEqual(jobEnv?.filter((name) => name !== 'BATCHYARD_TASK_EXECUTION_ID'));
    expect(template?.spec?.backoffLimit).toBe(job.spec?.backoffLimit);
    expect(template?.spec?.ttlSecondsAfterFinished).toBe(job.spec?.ttlSecondsAfterFinished);
  });

  it('names the CronJob within 52 characters', () => {
    const cronJob = buildCronJob(
      { ...input, scheduleName: 'x'.repeat(80) },
      { apiVersion: 'batch/v1', timeZone: true },
    );
    expect(cronJob.metadata?.name?.length).toBe(52);
  });

  it('refuses a time zone the cluster cannot honour, saying why', () => {
    expect(() =>
      buildCronJob({ ...input, timeZone: 'Europe/Berlin' }, { apiVersion: 'batch/v1beta1', timeZone: false }),
    ).toThrow(/timeZone 'Europe\/Berlin' is not supported by this cluster: .*1\.27\+.*serves batch\/v1beta1/);
    expect(() =>
      buildCronJob({ ...input, timeZone: 'Europe/Berlin' }, { apiVersion: 'batch/v1', timeZone: false }),
    ).toThrow('serves batch/v1 without timeZone');
    expect(() =>
      buildCronJob({ ...input, timeZone: 'Mars/Olympus' }, { apiVersion: 'batch/v1', timeZone: true }),
    ).toThrow("timeZone 'Mars/Olympus' is not a known IANA time zone");
  });

  it('validates the schedule and numbers', () => {
    expect(cronScheduleError('*/5 * * * *')).toBeUndefined();
    expect(cronScheduleError('@daily')).toBeUndefined();
    expect(cronScheduleError('0 2 * *')).toContain('must have 5 fields');
    expect(cronScheduleError('CRON_TZ=UTC 0 2 * * *')).toContain('use timeZone');
    expect(cronScheduleError('@sometimes')).toContain('unknown macro');
    expect(timeZoneError('UTC')).toBeUndefined();
    expect(() =>
      buildCronJob({ ...input, schedule: 'never' }, { apiVersion: 'batch/v1', timeZone: true }),
    ).toThrow("schedule 'never'");
    expect(() =>
      buildCronJob({ ...input, startingDeadlineSeconds: -1 }, { apiVersion: 'batch/v1', timeZone: true }),
    ).toThrow('startingDeadlineSeconds must be a non-negative integer');
  });
});
