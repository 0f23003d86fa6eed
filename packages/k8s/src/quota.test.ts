import type { V1ResourceQuota } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseDeployerProperties } from './deployer-properties.js';
import { buildJob } from './job-builder.js';
import { jobQuotaDemand, quotaShortfalls } from './quota.js';

const job = buildJob({
  executionId: 1,
  taskName: 'etl',
  appName: 'etl',
  accountName: 'default',
  namespace: 'batch',
  image: 'x:1',
  args: [],
  databaseSecret: { name: 'db', key: 'url' },
  properties: parseDeployerProperties([
    { 'requests.cpu': '500m', 'limits.cpu': '1', 'limits.memory': '1Gi' },
  ]),
});

/** As the API server reports a quota: status.used is kept up to date by the quota controller. */
const quota = (
  name: string,
  hard: Record<string, string>,
  used: Record<string, string>,
): V1ResourceQuota => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name, namespace: 'batch' },
  spec: { hard },
  status: { hard, used },
});

describe('quota', () => {
  it('counts a pod and the Job, with requests defaulted from limits', () => {
    const demand = jobQuotaDemand(job);
    expect(demand.get('requests.cpu')).toBe(500_000_000n);
    expect(demand.get('cpu')).toBe(500_000_000n);
    expect(demand.get('requests.memory')).toBe(2n ** 30n * 1_000_000_000n);
    expect(demand.get('limits.cpu')).toBe(1_000_000_000n);
    expect(demand.get('pods')).toBe(1_000_000_000n);
    expect(demand.get('count/jobs.batch')).toBe(1_000_000_000n);
  });

  it('fits when every tracked resource has room', () => {
    expect(
      quotaShortfalls(
        [quota('compute', { 'requests.cpu': '2', pods: '10' }, { 'requests.cpu': '1500m', pods: '3' })],
        job,
      ),
    ).toEqual([]);
  });

  it('reports each resource that would go over, compared by value', () => {
    const quotas = [
      quota(
        'compute',
        { 'requests.cpu': '2', 'limits.memory': '2Gi' },
        { 'requests.cpu': '1600m', 'limits.memory': '1Gi' },
      ),
      quota('objects', { 'count/jobs.batch': '5' }, { 'count/jobs.batch': '5' }),
    ];
    expect(quotaShortfalls(quotas, job)).toEqual([
      { quota: 'compute', resource: 'requests.cpu', requested: '500m', used: '1600m', hard: '2' },
      { quota: 'objects', resource: 'count/jobs.batch', requested: '1', used: '5', hard: '5' },
    ]);
  });
});
