import { buildJob, KubeClient, parseDeployerProperties, quotaShortfalls } from '@batchyard/k8s';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestNamespace, type TestNamespace, waitFor } from '../../cluster/src/testing.js';
import { nodeLaunch } from './helpers.js';

/** quotaShortfalls() against ResourceQuotas as the real quota controller reports them. */

let ns: TestNamespace;
let client: KubeClient;

beforeEach(async () => {
  ns = await createTestNamespace('k8s-quota');
  client = new KubeClient(ns.kc);
});
afterEach(async () => {
  await ns.cleanup();
});

describe('ResourceQuota headroom', () => {
  it('says which quota a launch would exceed, so the server can queue it', async () => {
    await ns.core.createNamespacedResourceQuota({
      namespace: ns.namespace,
      body: {
        metadata: { name: 'compute' },
        spec: { hard: { 'requests.cpu': '1', 'count/jobs.batch': '5' } },
      },
    });
    const quotas = await waitFor(
      'the quota controller to report usage',
      async () => {
        const list = await client.listResourceQuotas(ns.namespace);
        return list[0]?.status?.used ? list : undefined;
      },
      30_000,
    );
    const launch = (cpu: string) =>
      buildJob(nodeLaunch(ns, 'x', parseDeployerProperties([{ 'requests.cpu': cpu, 'limits.cpu': cpu }])));
    expect(quotaShortfalls(quotas, launch('500m'))).toEqual([]);
    expect(quotaShortfalls(quotas, launch('1500m'))).toEqual([
      { quota: 'compute', resource: 'requests.cpu', requested: '1500m', used: '0', hard: '1' },
    ]);
  });
});
