import { ApisApi, CustomObjectsApi } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestNamespace, type TestNamespace, testImages, waitFor } from '../../cluster/src/testing.js';

/**
 * The CronJob controller creates Jobs on schedule. Kubernetes 1.20 serves CronJob only as
 * batch/v1beta1 (batch/v1 from 1.21), so the test asks the cluster which version it serves.
 */

let ns: TestNamespace;
beforeEach(async () => {
  ns = await createTestNamespace('cron');
});
afterEach(async () => {
  await ns.cleanup();
});

async function cronJobVersion(ns: TestNamespace): Promise<string> {
  const groups = await ns.kc.makeApiClient(ApisApi).getAPIVersions();
  const batch = groups.groups.find((g) => g.name === 'batch');
  const versions = batch?.versions.map((v) => v.version) ?? [];
  for (const version of versions) {
    const resources = await ns.kc
      .makeApiClient(CustomObjectsApi)
      .getAPIResources({ group: 'batch', version });
    if (resources.resources.some((r) => r.name === 'cronjobs')) return version;
  }
  throw new Error(`the cluster serves no CronJob (batch versions: ${versions.join(', ')})`);
}

describe('CronJob on the test cluster', () => {
  it('creates a Job for a "* * * * *" schedule within about a minute', async () => {
    const version = await cronJobVersion(ns);
    await ns.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'batch',
      version,
      namespace: ns.namespace,
      plural: 'cronjobs',
      body: {
        apiVersion: `batch/${version}`,
        kind: 'CronJob',
        metadata: { name: 'every-minute' },
        spec: {
          schedule: '* * * * *',
          concurrencyPolicy: 'Forbid',
          jobTemplate: {
            spec: {
              backoffLimit: 0,
              template: {
                spec: {
                  restartPolicy: 'Never',
                  containers: [
                    { name: 'main', image: testImages().shell, command: ['/bin/sh', '-c', 'echo tick'] },
                  ],
                },
              },
            },
          },
        },
      },
    });
    // A minute boundary plus the 1.20 controller's 10 s poll: 75 s at most; wait a little longer.
    const jobs = await waitFor(
      'a Job created by the CronJob',
      async () => {
        const list = await ns.batch.listNamespacedJob({ namespace: ns.namespace });
        return list.items.length > 0 ? list.items : undefined;
      },
      90_000,
      1000,
    );
    const owner = jobs[0]?.metadata?.ownerReferences?.[0];
    expect(owner?.kind).toBe('CronJob');
    expect(owner?.name).toBe('every-minute');
  });
});
