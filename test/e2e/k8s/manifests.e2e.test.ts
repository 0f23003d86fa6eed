import {
  buildCronJob,
  buildJob,
  type ClusterCapabilities,
  cronJobSupport,
  discoverCapabilities,
  KubeClient,
  parseDeployerProperties,
} from '@batchyard/k8s';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clusterKind, createTestNamespace, type TestNamespace } from '../../cluster/src/testing.js';
import { DB_SECRET, nodeLaunch } from './helpers.js';

/**
 * The real API server accepts what the builders produce (server-side dry run and real create),
 * create and delete are idempotent, and discovery finds the CronJob API the cluster serves.
 */

let ns: TestNamespace;
let client: KubeClient;
let caps: ClusterCapabilities;

beforeEach(async () => {
  ns = await createTestNamespace('k8s-manifests');
  client = new KubeClient(ns.kc);
  caps = await discoverCapabilities(ns.kc);
});
afterEach(async () => {
  await ns.cleanup();
});

/** Every deployer property the API server can check without extra cluster objects. */
const FULL_PROPERTIES = {
  'requests.cpu': '100m',
  'requests.memory': '64Mi',
  'requests.ephemeral-storage': '100Mi',
  'limits.cpu': '500m',
  'limits.memory': '256Mi',
  'limits.ephemeral-storage': '1Gi',
  'limits.gpu': '1',
  imagePullPolicy: 'IfNotPresent',
  imagePullSecrets: 'regcred',
  nodeSelector: 'kubernetes.io/os:linux',
  tolerations: "[{key: 'batch', operator: 'Exists', effect: 'NoSchedule'}]",
  affinity:
    '{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"preference":{"matchExpressions":[{"key":"pool","operator":"In","values":["batch"]}]}}]}}',
  serviceAccountName: 'default',
  environmentVariables: 'LOG_LEVEL=debug,GREETING="a, b"',
  secretRefs: 'etl-credentials',
  secretKeyRefs: '[{"envVarName":"API_TOKEN","secretName":"etl","dataKey":"token"}]',
  configMapRefs: 'etl-config',
  configMapKeyRefs: '[{"envVarName":"REGION","configMapName":"etl","dataKey":"region"}]',
  volumes: '[{"name":"scratch","emptyDir":{}},{"name":"creds","secret":{"secretName":"etl"}}]',
  volumeMounts:
    '[{"name":"scratch","mountPath":"/scratch"},{"name":"creds","mountPath":"/creds","readOnly":true}]',
  podSecurityContext: '{"runAsNonRoot":true,"runAsUser":1000,"fsGroup":1000}',
  containerSecurityContext: '{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}',
  podAnnotations: 'prometheus.io/scrape:true',
  jobAnnotations: 'owner:data-team',
  labels: 'team:data',
  backoffLimit: '1',
  activeDeadlineSeconds: '3600',
  ttlSecondsAfterFinished: '600',
  terminationGracePeriodSeconds: '45',
};

describe('discovery', () => {
  it('finds the CronJob API and time zone support the cluster has', () => {
    expect(caps.cronJobApiVersion).toBeDefined();
    if (clusterKind() === 'local') {
      expect(caps).toMatchObject({
        gitVersion: expect.stringMatching(/^v1\.20\./),
        cronJobApiVersion: 'batch/v1beta1',
        cronJobTimeZone: false,
        jobTtlAfterFinished: false,
      });
    }
  });
});

describe('Job manifests', () => {
  it('the API server accepts a Job with every deployer property (server-side dry run)', async () => {
    const properties = parseDeployerProperties([FULL_PROPERTIES]);
    const job = buildJob(nodeLaunch(ns, 'console.log(1)', properties, { scheduleName: 'nightly' }));
    const { object, created } = await client.createJob(job, { dryRun: true });
    expect(created).toBe(true);
    expect(object.metadata?.name).toBe(job.metadata?.name);
    const container = object.spec?.template.spec?.containers[0];
    expect(container?.resources?.limits?.['nvidia.com/gpu']).toBe('1');
    expect(container?.resources?.requests).toMatchObject({ cpu: '100m', memory: '64Mi' });
    expect(container?.env?.find((e) => e.name === 'BATCHYARD_DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual(
      DB_SECRET,
    );
    expect(object.spec?.backoffLimit).toBe(1);
    // 1.20 serves ttlSecondsAfterFinished only behind an alpha gate and drops it otherwise.
    if (caps.jobTtlAfterFinished) expect(object.spec?.ttlSecondsAfterFinished).toBe(600);
    expect(await client.readJob(ns.namespace, job.metadata?.name ?? '')).toBeUndefined();
  });

  it('creates idempotently (409 returns the existing Job) and deletes idempotently (404 is done)', async () => {
    const job = buildJob(nodeLaunch(ns, 'setTimeout(() => {}, 1000)'));
    const first = await client.createJob(job);
    const second = await client.createJob(job);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.object.metadata?.uid).toBe(first.object.metadata?.uid);
    const listed = await client.listJobs(ns.namespace, 'app.kubernetes.io/managed-by=batchyard');
    expect(listed.map((j) => j.metadata?.name)).toEqual([job.metadata?.name]);
    expect(await client.deleteJob(ns.namespace, job.metadata?.name ?? '')).toBe(true);
    expect(await client.deleteJob(ns.namespace, job.metadata?.name ?? '')).toBe(false);
    expect(await client.stopJob(ns.namespace, job.metadata?.name ?? '')).toEqual({ found: false });
  });

  it('rejects what the API server rejects with its own message (a reserved-looking but invalid manifest)', async () => {
    const job = buildJob(nodeLaunch(ns, 'x'));
    job.spec!.template.spec!.restartPolicy = 'Always'; // Jobs allow only Never or OnFailure
    await expect(client.createJob(job, { dryRun: true })).rejects.toMatchObject({ code: 422 });
  });
});

describe('CronJob manifests', () => {
  const schedule = (overrides = {}) => ({
    ...nodeLaunch(ns, 'console.log("tick")'),
    scheduleName: 'Nightly.Import',
    schedule: '0 2 * * *',
    ...overrides,
  });

  it('the API server accepts the CronJob for the version it serves, and create/apply/delete are idempotent', async () => {
    const support = cronJobSupport(caps);
    const cronJob = buildCronJob(schedule(), support);
    expect(cronJob.apiVersion).toBe(caps.cronJobApiVersion);

    const dry = await client.createCronJob(cronJob, { dryRun: true });
    expect(dry.created).toBe(true);
    expect(await client.readCronJob(cronJob)).toBeUndefined();

    const first = await client.createCronJob(cronJob);
    const again = await client.createCronJob(cronJob);
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.object.metadata?.uid).toBe(first.object.metadata?.uid);

    const edited = await client.applyCronJob(
      buildCronJob(schedule({ schedule: '30 3 * * *', suspend: true }), support),
    );
    expect(edited.spec).toMatchObject({ schedule: '30 3 * * *', suspend: true, concurrencyPolicy: 'Forbid' });
    expect(edited.metadata?.uid).toBe(first.object.metadata?.uid);
    const template = edited.spec?.jobTemplate.spec?.template;
    expect(template?.metadata?.labels?.['batchyard.io/schedule-name']).toMatch(/^Nightly\.Import/);

    expect(await client.deleteCronJob(cronJob)).toBe(true);
    expect(await client.deleteCronJob(cronJob)).toBe(false);
  });

  it('refuses a time zone the cluster cannot honour before calling the API server', () => {
    const support = cronJobSupport(caps);
    const build = () => buildCronJob(schedule({ timeZone: 'Europe/Berlin' }), support);
    if (support.timeZone) expect(build().spec?.timeZone).toBe('Europe/Berlin');
    else expect(build).toThrow(/not supported by this cluster/);
  });
});
