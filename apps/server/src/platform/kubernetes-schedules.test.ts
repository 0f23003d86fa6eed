import { ApiError } from '@batchyard/core';
import { describe, expect, it } from 'vitest';
import {
  buildScheduleCronJob,
  effectiveTimeZone,
  type ScheduleBuildContext,
} from './kubernetes-schedules.js';
import type { ScheduleSpec } from './types.js';

const v1beta1 = { apiVersion: 'batch/v1beta1', timeZone: false } as const;
const v1NoZone = { apiVersion: 'batch/v1', timeZone: false } as const;
const v1Zone = { apiVersion: 'batch/v1', timeZone: true } as const;

describe('effectiveTimeZone', () => {
  it.each([
    [null, v1beta1, null],
    ['UTC', v1beta1, null],
    ['Etc/UTC', v1NoZone, null],
    ['Africa/Abidjan', v1beta1, null], // UTC+0 all year: exact
    ['Europe/Berlin', v1Zone, 'Europe/Berlin'],
    ['UTC', v1Zone, 'UTC'],
  ])('%s on %j → %s', (zone, support, expected) => {
    expect(effectiveTimeZone(zone, support)).toBe(expected);
  });

  it.each([
    ['Europe/Berlin', v1beta1],
    ['Europe/London', v1NoZone], // UTC+0 only in winter
    ['America/New_York', v1beta1],
  ])('refuses %s on %j with a 400 naming body.timeZone', (zone, support) => {
    try {
      effectiveTimeZone(zone, support);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
      expect((err as ApiError).details[0]).toMatchObject({
        path: 'body.timeZone',
        message: expect.stringMatching(/1\.27/),
      });
    }
  });
});

describe("buildScheduleCronJob: a Spring app's CronJob", () => {
  const spec = (deployer: Record<string, string>, springContract = true): ScheduleSpec => ({
    scheduleName: 'nightly',
    launch: {
      taskName: 'nightly-import',
      appName: 'import',
      appVersion: '1.0',
      uri: 'docker:acme/import:1.0',
      command: null,
      args: ['--chunk=50', 'run.id=1,java.lang.Long'],
      deployer,
      springContract,
    },
    cron: '0 2 * * *',
    timeZone: null,
    concurrencyPolicy: 'Forbid',
    startingDeadlineSeconds: null,
    successfulJobsHistoryLimit: null,
    failedJobsHistoryLimit: null,
    suspend: false,
  });
  const context: ScheduleBuildContext = {
    namespace: 'batch',
    accountName: 'k8s',
    databaseSecret: { name: 'batchyard-database', key: 'url' },
    springDatasourceSecret: {
      name: 'batchyard-database',
      urlKey: 'jdbc-url',
      usernameKey: 'username',
      passwordKey: 'password',
    },
    image: (uri) => uri.replace(/^docker:/, ''),
  };
  const container = (s: ScheduleSpec, c: ScheduleBuildContext = context) => {
    const cronJob = buildScheduleCronJob(s, v1Zone, c);
    return cronJob.spec!.jobTemplate.spec!.template.spec!.containers[0]!;
  };
  const envNames = (c: ReturnType<typeof container>) => (c.env ?? []).map((e) => e.name);

  it('exec: no execution id; the external execution id is the Job name, expanded from the downward API', () => {
    const c = container(spec({}));
    expect(c.args).toEqual([
      '--spring.cloud.task.name=nightly-import',
      '--spring.cloud.task.external-execution-id=$(BATCHYARD_JOB_NAME)',
      '--spring.cloud.task.initialize-enabled=false',
      '--chunk=50',
      'run.id=1,java.lang.Long',
    ]);
    expect(c.args!.join(' ')).not.toContain('executionid');
    // The variable the reference names is the Job's name, from the pod's job-name label.
    expect(c.env).toContainEqual({
      name: 'BATCHYARD_JOB_NAME',
      valueFrom: { fieldRef: { fieldPath: "metadata.labels['job-name']" } },
    });
    expect(envNames(c)).not.toContain('BATCHYARD_TASK_EXECUTION_ID');
  });

  it('gets SPRING_DATASOURCE_* as Secret references, never values', () => {
    const env = container(spec({})).env ?? [];
    const url = env.find((e) => e.name === 'SPRING_DATASOURCE_URL');
    expect(url).toEqual({
      name: 'SPRING_DATASOURCE_URL',
      valueFrom: { secretKeyRef: { name: 'batchyard-database', key: 'jdbc-url', optional: true } },
    });
    expect(env.find((e) => e.name === 'SPRING_DATASOURCE_PASSWORD')?.value).toBeUndefined();
  });

  it('shell and boot: the same reference in the environment, after the variable it names', () => {
    const shell = container(spec({ entryPointStyle: 'shell' }));
    expect(shell.args).toEqual(['run.id=1,java.lang.Long']);
    expect(shell.env).toContainEqual({
      name: 'SPRING_CLOUD_TASK_EXTERNAL_EXECUTION_ID',
      value: '$(BATCHYARD_JOB_NAME)',
    });
    const boot = container(spec({ entryPointStyle: 'boot' }));
    const json = boot.env!.find((e) => e.name === 'SPRING_APPLICATION_JSON')!;
    expect(JSON.parse(json.value!)).toEqual({
      chunk: '50',
      'spring.cloud.task.name': 'nightly-import',
      'spring.cloud.task.external-execution-id': '$(BATCHYARD_JOB_NAME)',
      'spring.cloud.task.initialize-enabled': 'false',
    });
    // Kubernetes expands $(VAR) only from variables defined earlier in the list.
    for (const c of [shell, boot]) {
      const names = envNames(c);
      const user = names.findIndex(
        (n) => n.startsWith('SPRING_CLOUD_TASK_') || n === 'SPRING_APPLICATION_JSON',
      );
      expect(names.indexOf('BATCHYARD_JOB_NAME')).toBeLessThan(user);
    }
  });

  it('passes non-default table prefixes', () => {
    const c = container(spec({}), {
      ...context,
      tablePrefixes: { batch: 'BOOT3_BATCH_', task: 'BOOT3_TASK_' },
    });
    expect(c.args).toContain('--spring.batch.jdbc.table-prefix=BOOT3_BATCH_');
    expect(c.args).toContain('--spring.cloud.task.tablePrefix=BOOT3_TASK_');
  });

  it('an app registered without the contract is scheduled unchanged', () => {
    const c = container(spec({}, false));
    expect(c.args).toEqual(['--chunk=50', 'run.id=1,java.lang.Long']);
    expect(envNames(c)).not.toContain('SPRING_DATASOURCE_URL');
  });
});
