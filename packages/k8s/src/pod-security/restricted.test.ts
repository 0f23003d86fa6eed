import type { V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildCronJob } from '../cronjob-builder.js';
import { parseDeployerProperties } from '../deployer-properties.js';
import { emptyDeployerProperties } from '../deployer-types.js';
import { buildJob, type JobBuildInput } from '../job-builder.js';
import { checkRestricted } from './restricted-check.js';

const base: JobBuildInput = {
  executionId: 42,
  taskName: 'nightly-import',
  appName: 'etl',
  accountName: 'default',
  namespace: 'batch',
  image: 'batchyard/worker-sample:1.0',
  args: ['--chunkSize=500'],
  databaseSecret: { name: 'batchyard-db', key: 'url' },
  properties: emptyDeployerProperties(),
};

const podOf = (job: ReturnType<typeof buildJob>) => ({
  spec: job.spec?.template.spec as V1PodSpec,
  annotations: job.spec?.template.metadata?.annotations ?? {},
});
/** [account defaults, launch properties], the way the launcher layers them. */
const withProperties = (...layers: Record<string, string>[]) =>
  buildJob({ ...base, properties: parseDeployerProperties(layers) });
const controls = (job: ReturnType<typeof buildJob>) => {
  const { spec, annotations } = podOf(job);
  return checkRestricted(spec, annotations).map((v) => `${v.control} @ ${v.path}`);
};

describe('task pod templates pass Pod Security "restricted" by default', () => {
  it('a Job with no properties', () => {
    expect(controls(buildJob(base))).toEqual([]);
  });

  it('a CronJob template, batch/v1beta1 (1.20) and batch/v1', () => {
    const input = { ...base, scheduleName: 'nightly', schedule: '0 2 * * *' };
    for (const api of [
      { apiVersion: 'batch/v1beta1', timeZone: false },
      { apiVersion: 'batch/v1', timeZone: true },
    ] as const) {
      const template = buildCronJob(input, api).spec?.jobTemplate.spec?.template;
      expect(checkRestricted(template?.spec as V1PodSpec, template?.metadata?.annotations)).toEqual([]);
    }
  });

  it('keeps the defaults beside fields the properties set (account defaults and launch alike)', () => {
    const job = withProperties(
      { podSecurityContext: '{"runAsUser":1000,"fsGroup":2000}' },
      {
        containerSecurityContext:
          '{"readOnlyRootFilesystem":true,"capabilities":{"add":["NET_BIND_SERVICE"]}}',
      },
    );
    const pod = podOf(job).spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      fsGroup: 2000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
    });
    expect(controls(job)).toEqual([]);
  });

  it('relaxes exactly the fields a launch names, and the check says which control then fails', () => {
    expect(
      controls(withProperties({}, { containerSecurityContext: '{"allowPrivilegeEscalation":true}' })),
    ).toEqual(['Privilege Escalation @ spec.containers[0].securityContext.allowPrivilegeEscalation']);
    expect(controls(withProperties({ podSecurityContext: '{"runAsNonRoot":false,"runAsUser":0}' }))).toEqual([
      'Running as Non-root user @ spec.securityContext.runAsUser',
      'Running as Non-root @ spec.containers[0].securityContext.runAsNonRoot',
    ]);
    expect(
      controls(withProperties({}, { podSecurityContext: '{"seccompProfile":{"type":"Unconfined"}}' })),
    ).toEqual([
      'Seccomp @ spec.securityContext.seccompProfile.type',
      'Seccomp @ spec.containers[0].securityContext.seccompProfile.type',
    ]);
    expect(
      controls(withProperties({}, { containerSecurityContext: '{"capabilities":{"drop":[]}}' })),
    ).toEqual(['Capabilities @ spec.containers[0].securityContext.capabilities.drop']);
  });

  it('privileged or CAP_SYS_ADMIN drops the allowPrivilegeEscalation default (the API server refuses the pair)', () => {
    const job = withProperties({}, { containerSecurityContext: '{"privileged":true}' });
    expect(podOf(job).spec.containers[0]?.securityContext?.allowPrivilegeEscalation).toBeUndefined();
    expect(controls(job)).toContain('Privileged Containers @ spec.containers[0].securityContext.privileged');
  });

  it('refuses a malformed seccompProfile at launch, naming the field', () => {
    expect(() =>
      withProperties({}, { podSecurityContext: '{"seccompProfile":{"type":"Localhost"}}' }),
    ).toThrow(/podSecurityContext.*localhostProfile/);
  });
});

const compliant = (): V1PodSpec => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'c',
      image: 'i',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    },
  ],
});

describe('checkRestricted: each control of the profile', () => {
  it('passes a compliant pod, and per-container settings instead of pod-level ones', () => {
    expect(checkRestricted(compliant())).toEqual([]);
    const perContainer = compliant();
    perContainer.securityContext = {};
    perContainer.containers[0] = {
      name: 'c',
      image: 'i',
      securityContext: {
        runAsNonRoot: true,
        seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      },
    };
    expect(checkRestricted(perContainer)).toEqual([]);
    // As client-node deserialises a volume: unset sources present as undefined keys.
    const withVolume = compliant();
    withVolume.volumes = [{ name: 'd', emptyDir: {}, hostPath: undefined, nfs: undefined }];
    expect(checkRestricted(withVolume)).toEqual([]);
  });

  const cases: [string, (p: V1PodSpec) => void, Record<string, string>?][] = [
    [
      'HostProcess',
      (p) => (p.securityContext = { ...p.securityContext, windowsOptions: { hostProcess: true } }),
    ],
    ['Host Namespaces', (p) => (p.hostNetwork = true)],
    ['Host Namespaces', (p) => (p.hostPID = true)],
    ['Host Namespaces', (p) => (p.hostIPC = true)],
    ['Privileged Containers', (p) => Object.assign(sc(p), { privileged: true })],
    ['Capabilities', (p) => Object.assign(sc(p), { capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } })],
    ['Capabilities', (p) => Object.assign(sc(p), { capabilities: { drop: ['ALL'], add: ['CHOWN'] } })],
    ['HostPath Volumes', (p) => (p.volumes = [{ name: 'h', hostPath: { path: '/' } }])],
    ['Volume Types', (p) => (p.volumes = [{ name: 'n', nfs: { server: 's', path: '/' } }])],
    ['Host Ports', (p) => (p.containers[0] = { ...c0(p), ports: [{ containerPort: 80, hostPort: 80 }] })],
    ['AppArmor', () => undefined, { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' }],
    ['SELinux', (p) => Object.assign(sc(p), { seLinuxOptions: { type: 'spc_t' } })],
    ['SELinux', (p) => (p.securityContext = { ...p.securityContext, seLinuxOptions: { user: 'root' } })],
    ['/proc Mount Type', (p) => Object.assign(sc(p), { procMount: 'Unmasked' })],
    ['Seccomp', (p) => Object.assign(sc(p), { seccompProfile: { type: 'Unconfined' } })],
    ['Seccomp', (p) => (p.securityContext = { runAsNonRoot: true })],
    [
      'Sysctls',
      (p) => (p.securityContext = { ...p.securityContext, sysctls: [{ name: 'kernel.msgmax', value: '1' }] }),
    ],
    ['Privilege Escalation', (p) => Object.assign(sc(p), { allowPrivilegeEscalation: undefined })],
    ['Running as Non-root', (p) => (p.securityContext = { seccompProfile: { type: 'RuntimeDefault' } })],
    ['Running as Non-root', (p) => Object.assign(sc(p), { runAsNonRoot: false })],
    ['Running as Non-root user', (p) => Object.assign(sc(p), { runAsUser: 0 })],
    ['Capabilities', (p) => Object.assign(sc(p), { capabilities: { drop: ['NET_RAW'] } })],
    [
      'Privilege Escalation',
      (p) =>
        (p.initContainers = [
          { name: 'init', image: 'i', securityContext: { capabilities: { drop: ['ALL'] } } },
        ]),
    ],
  ];
  it.each(cases.map(([control, mutate, annotations], i) => ({ i, control, mutate, annotations })))(
    '#$i fails $control',
    ({ control, mutate, annotations }) => {
      const pod = compliant();
      mutate(pod);
      // A hostPath volume is also a volume type "restricted" does not allow: both controls say so.
      const expected = control === 'HostPath Volumes' ? [control, 'Volume Types'] : [control];
      expect(checkRestricted(pod, annotations).map((v) => v.control)).toEqual(expected);
    },
  );
});

function c0(p: V1PodSpec) {
  const c = p.containers[0];
  if (!c) throw new Error('no container');
  return c;
}
function sc(p: V1PodSpec) {
  const c = c0(p);
  c.securityContext ??= {};
  return c.securityContext;
}
