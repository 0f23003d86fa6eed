import { describe, expect, it } from 'vitest';
import { DEPLOYER_PROPERTY_ALIASES } from './deployer-aliases.js';
import { DEPLOYER_PROPERTY_KEYS } from './deployer-keys.js';
import { podFeaturesFor } from './deployer-pod.js';
import { parseDeployerProperties, validateDeployerProperties } from './deployer-properties.js';
import type { PropertyIssue } from './deployer-types.js';
import { buildJob, type JobBuildInput } from './job-builder.js';

// SCDF parity: the pod-shape deployer properties and SCDF's spellings, parsed and built into Jobs.

function job(props: Record<string, string>, cluster?: { major: number; minor: number; gitVersion: string }) {
  const input: JobBuildInput = {
    executionId: 7,
    taskName: 'etl',
    appName: 'etl',
    accountName: 'default',
    namespace: 'batch',
    image: 'acme/etl:1',
    args: [],
    databaseSecret: { name: 'db', key: 'url' },
    properties: parseDeployerProperties([props], { cluster }),
    podFeatures: podFeaturesFor(cluster),
  };
  return buildJob(input);
}
const podOf = (
  props: Record<string, string>,
  cluster?: { major: number; minor: number; gitVersion: string },
) => job(props, cluster).spec!.template.spec!;

function issuesOf(
  props: Record<string, string>,
  cluster?: { major: number; minor: number; gitVersion: string },
) {
  const r = validateDeployerProperties([props], { cluster });
  if (r.ok) throw new Error('expected issues');
  return r.issues;
}
const paths = (issues: PropertyIssue[]) => issues.map((i) => i.path);

const v120 = { major: 1, minor: 20, gitVersion: 'v1.20.2' };
const v130 = { major: 1, minor: 30, gitVersion: 'v1.30.1' };

describe('SCDF aliases', () => {
  it('limits.gpuCount and limits.gpuVendor (vendor domain) give the GPU limit', () => {
    const task = podOf({ 'limits.gpuCount': '2', 'limits.gpuVendor': 'nvidia.com' }).containers[0]!;
    expect(task.resources?.limits).toEqual({ 'nvidia.com/gpu': '2' });
  });

  it('a full resource name in limits.gpuVendor is kept', () => {
    const task = podOf({ 'kubernetes.limits.gpuCount': '1', 'limits.gpuVendor': 'amd.com/gpu' })
      .containers[0]!;
    expect(task.resources?.limits).toEqual({ 'amd.com/gpu': '1' });
  });

  it('taskServiceAccountName is the pod service account', () => {
    expect(podOf({ taskServiceAccountName: 'etl-runner' }).serviceAccountName).toBe('etl-runner');
  });

  it('an alias and its Batchyard key in one layer is an error naming both', () => {
    const issues = issuesOf({ 'limits.gpu': '1', 'limits.gpuCount': '2' });
    expect(issues).toEqual([
      { path: 'limits.gpuCount', message: "same property as 'limits.gpu'; give it once" },
    ]);
  });

  it('every alias targets a known key', () => {
    for (const [scdf, alias] of Object.entries(DEPLOYER_PROPERTY_ALIASES)) {
      expect(Object.hasOwn(DEPLOYER_PROPERTY_KEYS, alias.key), scdf).toBe(true);
      expect(Object.hasOwn(DEPLOYER_PROPERTY_KEYS, scdf), scdf).toBe(false);
    }
  });

  it('errors name the SCDF spelling the caller used', () => {
    expect(paths(issuesOf({ 'limits.gpuCount': 'two' }))).toEqual(['limits.gpuCount']);
    expect(paths(issuesOf({ taskServiceAccountName: 'Not_Valid' }))).toEqual(['taskServiceAccountName']);
  });
});

describe('affinity parts', () => {
  it('affinity.nodeAffinity, podAffinity and podAntiAffinity fill the pod affinity', () => {
    const affinity = podOf({
      'affinity.nodeAffinity':
        '{ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [ { matchExpressions: [ { key: disk, operator: In, values: [ssd] } ] } ] } }',
      'affinity.podAffinity': '{"preferredDuringSchedulingIgnoredDuringExecution":[]}',
      'affinity.podAntiAffinity': '{"requiredDuringSchedulingIgnoredDuringExecution":[]}',
    }).affinity;
    expect(
      affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0],
    ).toEqual({
      matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }],
    });
    expect(Object.keys(affinity ?? {}).sort()).toEqual(['nodeAffinity', 'podAffinity', 'podAntiAffinity']);
  });

  it('a part given on its own wins over the same part inside affinity, whatever the order', () => {
    const a = podOf({
      'affinity.podAffinity': '{"x":1}',
      affinity: '{"podAffinity":{"x":2},"nodeAffinity":{"y":3}}',
    }).affinity;
    expect(a).toEqual({ podAffinity: { x: 1 }, nodeAffinity: { y: 3 } });
  });

  it('a part that is not an object is a 400 naming it', () => {
    expect(paths(issuesOf({ 'affinity.nodeAffinity': '[1]' }))).toEqual(['affinity.nodeAffinity']);
  });
});

describe('init containers', () => {
  it("SCDF's initContainer object becomes the first init container", () => {
    const spec = podOf({
      volumes: '[{name: data, emptyDir: {}}]',
      initContainer:
        "{containerName: 'wait', imageName: 'busybox:1.36', commands: ['sh', '-c', 'sleep 1'], environmentVariables: ['A=1', 'B=x=y'], volumeMounts: [{name: data, mountPath: /data}]}",
      initContainers: '[{"name":"fetch","image":"busybox:1.36","args":["echo","ok"]}]',
    });
    expect(spec.initContainers).toEqual([
      {
        name: 'wait',
        image: 'busybox:1.36',
        command: ['sh', '-c', 'sleep 1'],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: 'x=y' },
        ],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
      { name: 'fetch', image: 'busybox:1.36', args: ['echo', 'ok'] },
    ]);
  });

  it("SCDF's initContainer.<part> keys build the same container", () => {
    const spec = podOf({
      'initContainer.containerName': 'wait',
      'initContainer.imageName': 'busybox:1.36',
      'initContainer.commands': 'sh,-c,sleep 1',
      'initContainer.environmentVariables': 'A=1',
    });
    expect(spec.initContainers).toEqual([
      {
        name: 'wait',
        image: 'busybox:1.36',
        command: ['sh', '-c', 'sleep 1'],
        env: [{ name: 'A', value: '1' }],
      },
    ]);
  });

  it('an init container without name or image is a 400 for each part', () => {
    expect(paths(issuesOf({ 'initContainer.commands': 'true' }))).toEqual([
      'initContainer.containerName',
      'initContainer.imageName',
    ]);
  });

  it('bad containers are 400s naming the field inside the value', () => {
    expect(paths(issuesOf({ initContainers: '[{"name":"Bad_Name","image":""}]' }))).toEqual([
      'initContainers[0].name',
      'initContainers[0].image',
    ]);
    expect(paths(issuesOf({ initContainers: '[{"name":"task","image":"x"}]' }))).toEqual([
      'initContainers[0].name',
    ]);
    expect(
      paths(
        issuesOf({
          initContainers: '[{"name":"a","image":"x","volumeMounts":[{"name":"nope","mountPath":"/x"}]}]',
        }),
      ),
    ).toEqual(['initContainers[0].volumeMounts[0].name']);
    expect(
      paths(
        issuesOf({ initContainers: '[{"name":"a","image":"x","env":[{"name":"BATCHYARD_X","value":"1"}]}]' }),
      ),
    ).toEqual(['initContainers[0].env[0].name']);
  });

  it('an init container declared as a native sidecar needs 1.29', () => {
    const props = { initContainers: '[{"name":"agent","image":"vault:1","restartPolicy":"Always"}]' };
    expect(issuesOf(props, v120)).toEqual([
      {
        path: 'initContainers[0].restartPolicy',
        message:
          "a native sidecar (init container with restartPolicy Always) needs Kubernetes 1.29 or newer; this account's cluster is v1.20.2",
      },
    ]);
    expect(podOf(props, v130).initContainers?.[0]?.restartPolicy).toBe('Always');
  });
});

describe('sidecars (additionalContainers)', () => {
  const sidecar = {
    additionalContainers: '[{name: proxy, image: "cloud-sql-proxy:2", args: ["--port=5432"]}]',
  };

  it('before 1.29 they are ordinary containers after the task (the reconciler ends them)', () => {
    const spec = podOf(sidecar, v120);
    expect(spec.containers.map((c) => c.name)).toEqual(['task', 'proxy']);
    expect(spec.initContainers).toBeUndefined();
  });

  it('from 1.29 they are native sidecars: init containers with restartPolicy Always', () => {
    const spec = podOf(sidecar, { major: 1, minor: 29, gitVersion: 'v1.29.0' });
    expect(spec.containers.map((c) => c.name)).toEqual(['task']);
    expect(spec.initContainers).toEqual([
      { name: 'proxy', image: 'cloud-sql-proxy:2', args: ['--port=5432'], restartPolicy: 'Always' },
    ]);
  });

  it('come after the init containers, so those run first', () => {
    const spec = podOf({ ...sidecar, initContainers: '[{"name":"migrate","image":"m:1"}]' }, v130);
    expect(spec.initContainers?.map((c) => c.name)).toEqual(['migrate', 'proxy']);
  });

  it('a sidecar with its own restartPolicy, or a name taken twice, is a 400', () => {
    expect(
      paths(issuesOf({ additionalContainers: '[{"name":"p","image":"x","restartPolicy":"Always"}]' })),
    ).toEqual(['additionalContainers[0].restartPolicy']);
    expect(
      paths(
        issuesOf({
          additionalContainers: '[{"name":"p","image":"x"}]',
          initContainers: '[{"name":"p","image":"y"}]',
        }),
      ),
    ).toEqual(['additionalContainers[0].name']);
  });
});

describe('task container and pod settings', () => {
  it('lifecycle as JSON and as SCDF exec-command keys', () => {
    expect(
      podOf({ lifecycle: '{"postStart":{"exec":{"command":["echo","hi"]}}}' }).containers[0]!.lifecycle,
    ).toEqual({
      postStart: { exec: { command: ['echo', 'hi'] } },
    });
    expect(
      podOf({
        'lifecycle.postStart.exec.command': '/bin/sh,-c,echo up',
        'lifecycle.preStop.exec.command': '/bin/sh,-c,sleep 5',
      }).containers[0]!.lifecycle,
    ).toEqual({
      postStart: { exec: { command: ['/bin/sh', '-c', 'echo up'] } },
      preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 5'] } },
    });
  });

  it('a hook needs exactly one action; a sleep hook needs 1.30', () => {
    expect(paths(issuesOf({ lifecycle: '{"preStop":{}}' }))).toEqual(['lifecycle.preStop']);
    expect(paths(issuesOf({ lifecycle: '{"preStop":{"sleep":{"seconds":5}}}' }, v120))).toEqual([
      'lifecycle',
    ]);
    expect(
      podOf({ lifecycle: '{"preStop":{"sleep":{"seconds":5}}}' }, v130).containers[0]!.lifecycle,
    ).toEqual({
      preStop: { sleep: { seconds: 5 } },
    });
  });

  it('hostNetwork, shareProcessNamespace, restartPolicy', () => {
    const spec = podOf({ hostNetwork: 'true', shareProcessNamespace: 'TRUE', restartPolicy: 'OnFailure' });
    expect(spec).toMatchObject({
      hostNetwork: true,
      shareProcessNamespace: true,
      restartPolicy: 'OnFailure',
    });
    expect(podOf({}).restartPolicy).toBe('Never');
    expect(paths(issuesOf({ hostNetwork: 'yes' }))).toEqual(['hostNetwork']);
    expect(issuesOf({ restartPolicy: 'Always' })[0]!.message).toContain('cannot have restartPolicy Always');
  });

  it('containerPorts (host ports too with hostNetwork, as SCDF)', () => {
    expect(podOf({ containerPorts: '8080, 9090' }).containers[0]!.ports).toEqual([
      { containerPort: 8080 },
      { containerPort: 9090 },
    ]);
    expect(podOf({ containerPorts: '8080', hostNetwork: 'true' }).containers[0]!.ports).toEqual([
      { containerPort: 8080, hostPort: 8080 },
    ]);
    expect(paths(issuesOf({ containerPorts: '80,0,70000,x' }))).toEqual([
      'containerPorts',
      'containerPorts',
      'containerPorts',
    ]);
  });

  it('environmentVariablesFromFieldRefs become downward-API env vars after the others', () => {
    const env = podOf({
      environmentVariables: 'A=1',
      environmentVariablesFromFieldRefs: "POD_NAME=metadata.name,TEAM=metadata.labels['team']",
    }).containers[0]!.env!;
    expect(env.slice(-3)).toEqual([
      { name: 'A', value: '1' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'TEAM', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
    ]);
  });

  it('a field ref to an unknown path, a reserved name or a name set twice is a 400', () => {
    expect(paths(issuesOf({ environmentVariablesFromFieldRefs: 'X=spec.nope' }))).toEqual([
      'environmentVariablesFromFieldRefs.X',
    ]);
    expect(paths(issuesOf({ environmentVariablesFromFieldRefs: 'BATCHYARD_X=metadata.name' }))).toEqual([
      'environmentVariablesFromFieldRefs.BATCHYARD_X',
    ]);
    expect(
      paths(issuesOf({ environmentVariables: 'X=1', environmentVariablesFromFieldRefs: 'X=metadata.name' })),
    ).toEqual(['environmentVariablesFromFieldRefs.X']);
  });

  it('an unknown key still lists every known key, the new ones included', () => {
    const [issue] = issuesOf({ sidecars: 'x' });
    expect(issue!.message).toMatch(/^unknown deployer property; known keys: /);
    for (const key of [
      'additionalContainers',
      'initContainers',
      'affinity.podAntiAffinity',
      'restartPolicy',
    ]) {
      expect(issue!.message).toContain(key);
    }
  });
});
