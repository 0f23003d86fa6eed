import { describe, expect, it } from 'vitest';
import {
  canonicalPropertyKey,
  KNOWN_DEPLOYER_PROPERTY_KEYS,
  parseDeployerProperties,
  validateDeployerProperties,
} from './deployer-properties.js';
import { DeployerPropertiesError, type PropertyIssue } from './deployer-types.js';

function issuesOf(...layers: Record<string, string>[]): PropertyIssue[] {
  const result = validateDeployerProperties(layers);
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

describe('parseDeployerProperties', () => {
  it('parses every kind of key', () => {
    const props = parseDeployerProperties([
      {
        'kubernetes.requests.cpu': '500m',
        'requests.memory': '512Mi',
        'limits.cpu': '2',
        'limits.memory': '1Gi',
        'limits.ephemeral-storage': '2Gi',
        'limits.gpu': '1',
        gpuVendor: 'amd.com/gpu',
        imagePullPolicy: 'IfNotPresent',
        imagePullSecrets: 'regcred, mirror',
        nodeSelector: 'disktype:ssd,zone:a',
        tolerations: "[{key: 'batch', operator: 'Exists', effect: 'NoSchedule'}]",
        affinity:
          '{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[]}}}',
        priorityClassName: 'batch-low',
        serviceAccountName: 'etl-runner',
        environmentVariables: 'LOG_LEVEL=debug,GREETING="a, b"',
        secretRefs: 'etl-credentials',
        secretKeyRefs: '[{"envVarName":"API_TOKEN","secretName":"etl","dataKey":"token"}]',
        configMapRefs: 'etl-config',
        configMapKeyRefs: '[{"envVarName":"REGION","configMapName":"etl","dataKey":"region"}]',
        volumes: '[{"name":"data","persistentVolumeClaim":{"claimName":"etl-data"}}]',
        volumeMounts: '[{"name":"data","mountPath":"/data","readOnly":true}]',
        podSecurityContext: '{"runAsNonRoot":true,"runAsUser":1000}',
        containerSecurityContext: '{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}',
        podAnnotations: 'prometheus.io/scrape:true',
        jobAnnotations: 'team:data',
        labels: 'team:data,cost-center:42',
        backoffLimit: '2',
        activeDeadlineSeconds: '3600',
        ttlSecondsAfterFinished: '600',
        terminationGracePeriodSeconds: '60',
      },
    ]);
    expect(props).toMatchSnapshot();
  });

  it('merges account defaults under launch properties by canonical key', () => {
    const props = parseDeployerProperties([
      { 'kubernetes.limits.memory': '1Gi', 'requests.cpu': '100m', labels: 'team:a' },
      { 'limits.memory': '2Gi', labels: 'team:b' },
    ]);
    expect(props.limits.memory).toBe('2Gi');
    expect(props.requests.cpu).toBe('100m');
    expect(props.labels).toEqual({ team: 'b' });
  });

  it('accepts SCDF aliases', () => {
    expect(canonicalPropertyKey('kubernetes.imagePullSecret')).toBe('imagePullSecrets');
    expect(canonicalPropertyKey('deploymentLabels')).toBe('labels');
    expect(parseDeployerProperties([{ 'kubernetes.imagePullSecret': 'regcred' }]).imagePullSecrets).toEqual([
      'regcred',
    ]);
  });

  it('treats Object.prototype names and __proto__ as what they are', () => {
    expect(issuesOf({ toString: '1' })[0]?.message).toContain('unknown deployer property');
    expect(issuesOf({ labels: '__proto__:x' })[0]).toEqual({
      path: 'labels',
      message: "key '__proto__' is not allowed",
    });
    expect(issuesOf({ affinity: '{__proto__: {x: 1}}' })[0]?.message).toContain(
      "key '__proto__' is not allowed",
    );
  });

  it('rejects unknown keys listing the known ones', () => {
    const [issue] = issuesOf({ 'requests.cpus': '1' });
    expect(issue?.path).toBe('requests.cpus');
    expect(issue?.message).toContain('unknown deployer property; known keys: requests.cpu,');
    expect(KNOWN_DEPLOYER_PROPERTY_KEYS).toContain('terminationGracePeriodSeconds');
  });

  it('reports every problem with its key and reason', () => {
    const issues = issuesOf({
      'requests.cpu': 'lots',
      'limits.gpu': '0.5',
      imagePullPolicy: 'Sometimes',
      backoffLimit: '-1',
      activeDeadlineSeconds: '0',
      nodeSelector: 'Bad Key:x',
      labels: 'batchyard.io/task-name:x',
      environmentVariables: 'BATCHYARD_DATABASE_URL=x',
      tolerations: '[{"key":"a","operator":"Exists","value":"v","effect":"Sometimes"}]',
      volumeMounts: '[{"name":"data","mountPath":"data"}]',
      secretKeyRefs: '[{"envVarName":"A","secretName":"Bad_Name","dataKey":"k"}]',
    });
    expect(issues).toMatchSnapshot();
    expect(new DeployerPropertiesError(issues).message).toContain("requests.cpu: invalid quantity 'lots'");
  });

  it('checks requests ≤ limits with parsed quantities, across layers', () => {
    expect(issuesOf({ 'limits.cpu': '1' }, { 'requests.cpu': '1500m' })).toEqual([
      { path: 'requests.cpu', message: 'request 1500m is greater than limit 1 (limits.cpu)' },
    ]);
    expect(issuesOf({ 'requests.memory': '2G', 'limits.memory': '1Gi' })[0]?.message).toContain('greater');
    expect(parseDeployerProperties([{ 'requests.cpu': '900m', 'limits.cpu': '1' }]).requests.cpu).toBe(
      '900m',
    );
    expect(
      parseDeployerProperties([{ 'requests.memory': '1024Mi', 'limits.memory': '1Gi' }]).limits.memory,
    ).toBe('1Gi');
  });

  it('checks volume mounts refer to volumes and env names are unique', () => {
    expect(issuesOf({ volumeMounts: '[{"name":"data","mountPath":"/data"}]' })).toEqual([
      { path: 'volumeMounts[0].name', message: "mount refers to volume 'data', which is not in volumes" },
    ]);
    expect(
      issuesOf({
        environmentVariables: 'TOKEN=x',
        secretKeyRefs: '[{"envVarName":"TOKEN","secretName":"s","dataKey":"k"}]',
      }),
    ).toEqual([{ path: 'secretKeyRefs[0].envVarName', message: "env var 'TOKEN' is set more than once" }]);
  });

  it('rejects two spellings of one key in a layer', () => {
    expect(issuesOf({ 'requests.cpu': '1', 'kubernetes.requests.cpu': '2' })).toEqual([
      { path: 'kubernetes.requests.cpu', message: "same property as 'requests.cpu'; give it once" },
    ]);
  });

  it('reports unparseable JSON with the key', () => {
    const [issue] = issuesOf({ affinity: '{nodeAffinity: ' });
    expect(issue?.path).toBe('affinity');
    expect(issue?.message).toContain('is neither JSON');
  });
});
