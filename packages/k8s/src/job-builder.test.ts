import { describe, expect, it } from 'vitest';
import { parseDeployerProperties } from './deployer-properties.js';
import { emptyDeployerProperties } from './deployer-types.js';
import { buildJob, DEFAULT_TTL_SECONDS_AFTER_FINISHED, type JobBuildInput } from './job-builder.js';
import { EXECUTION_ID_KEY, MANAGED_BY_KEY, TASK_NAME_KEY } from './labels.js';
import { sanitizeManifest } from './sanitize.js';

const base: JobBuildInput = {
  executionId: 42,
  taskName: 'nightly-import',
  appName: 'etl',
  accountName: 'default',
  namespace: 'batch',
  image: 'batchyard/worker-sample:1.0',
  args: ['--chunkSize=500', 'run.date=2026-11-22'],
  env: { SPRING_PROFILES_ACTIVE: 'k8s' },
  databaseSecret: { name: 'batchyard-db', key: 'url' },
  properties: emptyDeployerProperties(),
};

describe('buildJob', () => {
  it('builds a minimal Job', () => {
    expect(buildJob(base)).toMatchSnapshot();
  });

  it('is deterministic', () => {
    expect(buildJob(base)).toEqual(buildJob({ ...base }));
  });

  it('applies every deployer property', () => {
    const properties = parseDeployerProperties([
      { 'requests.cpu': '250m', 'limits.memory': '1Gi', labels: 'team:data' },
      {
        'requests.memory': '512Mi',
        'limits.cpu': '1',
        'limits.gpu': '1',
        imagePullPolicy: 'Always',
        imagePullSecrets: 'regcred',
        nodeSelector: 'pool:batch',
        tolerations: '[{"key":"batch","operator":"Exists","effect":"NoSchedule"}]',
        affinity: '{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[]}}',
        priorityClassName: 'batch-low',
        serviceAccountName: 'etl-runner',
        environmentVariables: 'LOG_LEVEL=debug',
        secretRefs: 'etl-credentials',
        secretKeyRefs: '[{"envVarName":"API_TOKEN","secretName":"etl","dataKey":"token"}]',
        configMapRefs: 'etl-config',
        configMapKeyRefs: '[{"envVarName":"REGION","configMapName":"etl","dataKey":"region"}]',
        volumes: '[{"name":"data","emptyDir":{}}]',
        volumeMounts: '[{"name":"data","mountPath":"/data"}]',
        podSecurityContext: '{"runAsNonRoot":true}',
        containerSecurityContext: '{"readOnlyRootFilesystem":true}',
        podAnnotations: 'prometheus.io/scrape:true',
        jobAnnotations: 'owner:data-team',
        backoffLimit: '2',
        activeDeadlineSeconds: '3600',
        ttlSecondsAfterFinished: '600',
        terminationGracePeriodSeconds: '60',
      },
    ]);
    const job = buildJob({ ...base, properties, scheduleName: 'nightly', extraLabels: { tier: 'gold' } });
    expect(job).toMatchSnapshot();
    expect(job.spec?.template.spec?.containers[0]?.resources?.limits).toEqual({
      cpu: '1',
      memory: '1Gi',
      'nvidia.com/gpu': '1',
    });
  });

  it('labels with sanitised names and annotates with the originals', () => {
    const job = buildJob({ ...base, taskName: 'Nightly Import!' });
    expect(job.metadata?.labels?.[TASK_NAME_KEY]).toMatch(/^Nightly-Import-[0-9a-f]{6}$/);
    expect(job.metadata?.annotations?.[TASK_NAME_KEY]).toBe('Nightly Import!');
    expect(job.metadata?.labels?.[MANAGED_BY_KEY]).toBe('batchyard');
    expect(job.spec?.template.metadata?.labels?.[EXECUTION_ID_KEY]).toBe('42');
    expect(job.metadata?.name).toMatch(/^nightly-import-[0-9a-f]{6}-42$/);
  });

  it('defaults to one attempt, restartPolicy Never and a TTL', () => {
    const job = buildJob(base);
    expect(job.spec?.backoffLimit).toBe(0);
    expect(job.spec?.ttlSecondsAfterFinished).toBe(DEFAULT_TTL_SECONDS_AFTER_FINISHED);
    expect(job.spec?.template.spec?.restartPolicy).toBe('Never');
  });

  it('passes database credentials only by secretKeyRef', () => {
    const job = buildJob(base);
    const env = job.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'BATCHYARD_DATABASE_URL')).toEqual({
      name: 'BATCHYARD_DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'batchyard-db', key: 'url' } },
    });
    expect(JSON.stringify(job)).not.toMatch(/postgres(ql)?:\/\//);
  });

  it('refuses env that would shadow what Batchyard sets', () => {
    expect(() => buildJob({ ...base, env: { BATCHYARD_TASK_NAME: 'x' } })).toThrow(
      'env var BATCHYARD_TASK_NAME is set by Batchyard',
    );
  });

  it('rejects an invalid namespace or empty image', () => {
    expect(() => buildJob({ ...base, namespace: 'Batch' })).toThrow("namespace 'Batch'");
    expect(() => buildJob({ ...base, image: ' ' })).toThrow('image must not be empty');
  });
});

describe('sanitizeManifest', () => {
  it('redacts secret-looking env values, arguments and URL passwords', () => {
    const job = buildJob({
      ...base,
      args: ['--db.password=hunter2', '--source=postgres://etl:s3cret@db:5432/x', '--chunkSize=5'],
      env: { API_TOKEN: 'abc', AWS_SECRET_ACCESS_KEY: 'k', MONKEY: 'banana', CALLBACK: 'https://u:p@h/' },
    });
    const clean = sanitizeManifest(job);
    const container = clean.spec?.template.spec?.containers[0];
    expect(container?.args).toEqual([
      '--db.password=******',
      '--source=postgres://etl:******@db:5432/x',
      '--chunkSize=5',
    ]);
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? 'ref']));
    expect(env).toMatchObject({ API_TOKEN: '******', AWS_SECRET_ACCESS_KEY: '******', MONKEY: 'banana' });
    expect(env.CALLBACK).toBe('https://u:******@h/');
    expect(env.BATCHYARD_DATABASE_URL).toBe('ref');
    expect(job.spec?.template.spec?.containers[0]?.args?.[0]).toBe('--db.password=hunter2');
  });
});
