import {
  buildJob,
  type ClusterCapabilities,
  discoverCapabilities,
  KubeClient,
  parseDeployerProperties,
  podFeaturesFor,
} from '@batchyard/k8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../../apps/server/test/harness.js';
import { until } from '../../setup/until.js';
import { type Execution, type K8sServer, startK8sServer, TERMINAL } from '../support/k8s-server.js';
import { nodeLaunch } from './helpers.js';

/**
 * SCDF's pod-shape deployer properties on the real API server: a Job with every one of them is
 * accepted, and a sidecar never keeps a finished task's pod running — on this 1.20 control plane
 * (no native sidecars) the execution ends when the task container ends and the pod goes away.
 */

const POD_PROPERTIES = {
  'affinity.nodeAffinity':
    '{preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: {matchExpressions: [{key: pool, operator: In, values: [batch]}]}}]}',
  'affinity.podAffinity': '{"preferredDuringSchedulingIgnoredDuringExecution":[]}',
  'affinity.podAntiAffinity': '{"preferredDuringSchedulingIgnoredDuringExecution":[]}',
  'limits.gpuCount': '1',
  'limits.gpuVendor': 'nvidia.com',
  taskServiceAccountName: 'default',
  volumes: '[{name: scratch, emptyDir: {}}]',
  initContainer:
    "{containerName: 'wait', imageName: 'busybox:1.36', commands: ['sh', '-c', 'true'], environmentVariables: ['A=1'], volumeMounts: [{name: scratch, mountPath: /scratch}]}",
  initContainers: '[{"name":"fetch","image":"busybox:1.36","command":["sh","-c","true"]}]',
  additionalContainers: '[{"name":"proxy","image":"busybox:1.36","ports":[{"containerPort":5432}]}]',
  'lifecycle.postStart.exec.command': '/bin/sh,-c,echo up',
  'lifecycle.preStop.exec.command': '/bin/sh,-c,sleep 1',
  hostNetwork: 'false',
  shareProcessNamespace: 'true',
  containerPorts: '8080',
  environmentVariablesFromFieldRefs: 'POD_NAME=metadata.name,NODE_NAME=spec.nodeName',
  restartPolicy: 'OnFailure',
};

describe('pod-shape deployer properties on the API server', () => {
  let k: K8sServer;
  let s: TestServer;
  let client: KubeClient;
  let caps: ClusterCapabilities;
  const get = (id: number) => s.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
  const ended = (id: number) =>
    until(
      () => get(id),
      (e) => TERMINAL.includes(e.status),
      `execution ${id} to end`,
    );

  beforeAll(async () => {
    k = await startK8sServer('pod-props');
    s = k.server;
    client = new KubeClient(k.ns.kc);
    caps = await discoverCapabilities(k.ns.kc);
    await s.request('POST', '/apps/task/scripted/1.0', { uri: 'docker:batchyard/scripted-task:1.0' });
    await s.request('POST', '/tasks/definitions', { name: 'quick', definition: 'scripted --print=main' });
  });
  afterAll(async () => {
    await k?.close();
  });

  it('accepts a Job with every new property, built for the cluster it runs on (dry run and real)', async () => {
    const properties = parseDeployerProperties([POD_PROPERTIES], { cluster: caps });
    const job = buildJob({
      ...nodeLaunch(k.ns, 'console.log(1)', properties),
      podFeatures: podFeaturesFor(caps),
    });
    const dry = await client.createJob(job, { dryRun: true });
    const spec = dry.object.spec?.template.spec;
    expect(spec?.initContainers?.map((c) => c.name)).toEqual(
      caps.minor >= 29 ? ['wait', 'fetch', 'proxy'] : ['wait', 'fetch'],
    );
    expect(spec?.containers.map((c) => c.name)).toEqual(caps.minor >= 29 ? ['task'] : ['task', 'proxy']);
    expect(spec).toMatchObject({
      shareProcessNamespace: true,
      restartPolicy: 'OnFailure',
      serviceAccountName: 'default',
    });
    const task = spec?.containers[0];
    expect(task?.resources?.limits?.['nvidia.com/gpu']).toBe('1');
    expect(task?.ports?.map((p) => p.containerPort)).toEqual([8080]);
    expect(task?.lifecycle?.preStop?.exec?.command).toEqual(['/bin/sh', '-c', 'sleep 1']);
    expect(task?.env?.find((e) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe(
      'spec.nodeName',
    );
    expect(Object.keys(spec?.affinity ?? {}).sort()).toEqual([
      'nodeAffinity',
      'podAffinity',
      'podAntiAffinity',
    ]);
    const real = await client.createJob(job);
    expect(real.created).toBe(true);
    await client.deleteJob(k.ns.namespace, job.metadata?.name ?? '');
  });

  it('refuses, through the API, a native sidecar the cluster is too old for, naming the version', async () => {
    if (caps.minor >= 29) return; // a current cluster has them
    const r = await s.request<{ details: { path: string; message: string }[] }>('POST', '/tasks/executions', {
      name: 'quick',
      properties: {
        'deployer.scripted.initContainers': '[{"name":"agent","image":"x:1","restartPolicy":"Always"}]',
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([
      {
        path: 'body.properties.deployer.scripted.initContainers[0].restartPolicy',
        message: expect.stringContaining(
          `needs Kubernetes 1.29 or newer; this account's cluster is ${caps.gitVersion}`,
        ),
      },
    ]);
  });

  const sidecar = (exit: number) => ({
    'deployer.scripted.additionalContainers': JSON.stringify([
      { name: 'proxy', image: 'batchyard/scripted-task:1.0', args: ['--print=sidecar-up', '--sleep=600000'] },
    ]),
    'app.scripted.exit': String(exit),
  });

  it.each([
    [0, 'COMPLETE'],
    [3, 'FAILED'],
  ])('a sidecar that never exits: task exit %i → %s, and the pod is gone', async (exit, status) => {
    const r = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'quick',
      properties: sidecar(exit),
    });
    expect(r.status).toBe(201);
    const e = await ended(r.body.id);
    expect(e).toMatchObject({ status, exitCode: exit });
    // The Job is deleted, and with it the pod whose sidecar would have run for ten minutes.
    const jobName = e.externalExecutionId ?? '';
    await until(
      async () => ({
        job: await client.readJob(k.ns.namespace, jobName),
        pods: await client.listPods(k.ns.namespace, `batchyard.io/execution-id=${e.id}`),
      }),
      (x) => x.job === undefined && x.pods.length === 0,
      `the Job and pod of execution ${e.id} to be gone`,
    );
    // The log was kept before the Job went away.
    const logs = await fetch(`${s.url}/tasks/executions/${e.id}/logs`).then((x) => x.text());
    expect(logs).toContain('main');
  });
});
