import { splitLaunchProperties, splitPartitionDeployer } from '@batchyard/core';
import { buildJob, parseDeployerProperties } from '@batchyard/k8s';
import { describe, expect, it } from 'vitest';
import { PARTITION_ARG } from './service.js';

// What the launcher does with a manager's launch properties (services/launcher.ts prepare()),
// down to the Kubernetes Job each execution gets.
const launchProperties = {
  'deployer.settlement.kubernetes.limits.memory': '512Mi',
  'deployer.settlement.requests.cpu': '250m',
  'deployer.settlement.partition.limits.memory': '2Gi',
  'deployer.settlement.partition.kubernetes.requests.cpu': '1',
  'deployer.*.nodeSelector': 'pool:batch',
};

function jobFor(executionId: number, deployer: Record<string, string>, args: string[]) {
  return buildJob({
    executionId,
    taskName: 'partitioned-demo',
    appName: 'settlement',
    accountName: 'k8s',
    namespace: 'batch',
    image: 'batchyard/worker-sample:1.0',
    args,
    databaseSecret: { name: 'batchyard-database', key: 'url' },
    properties: parseDeployerProperties([deployer]),
  });
}

describe('per-partition deployer properties', () => {
  const { deployer } = splitLaunchProperties(launchProperties, 'settlement');
  const split = splitPartitionDeployer(deployer);

  it('keep the manager on its own properties and give each partition its partition.* ones over them', () => {
    expect(split.own).toEqual({
      'limits.memory': '512Mi',
      'requests.cpu': '250m',
      nodeSelector: 'pool:batch',
    });
    expect(split.overrides).toEqual({ 'limits.memory': '2Gi', 'requests.cpu': '1' });
    expect(split.partition).toEqual({
      'limits.memory': '2Gi',
      'requests.cpu': '1',
      nodeSelector: 'pool:batch',
    });
  });

  it("reach the partition's Job: same image, its step execution as argument, its own limits", () => {
    const args = ['--job=partitioned', 'rows=1000'];
    const manager = jobFor(41, split.own, args).spec?.template.spec;
    const partition = jobFor(42, split.partition, [...args, `${PARTITION_ARG}7`]).spec?.template.spec;
    const [m, p] = [manager?.containers[0], partition?.containers[0]];
    expect(m?.resources).toEqual({ limits: { memory: '512Mi' }, requests: { cpu: '250m' } });
    expect(p?.resources).toEqual({ limits: { memory: '2Gi' }, requests: { cpu: '1' } });
    expect(p?.image).toBe(m?.image);
    expect(p?.args).toEqual(['--job=partitioned', 'rows=1000', '--partition-step-execution=7']);
    expect(partition?.nodeSelector).toEqual({ pool: 'batch' });
  });
});
