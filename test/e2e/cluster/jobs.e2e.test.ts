import type { V1Job } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestNamespace,
  jobPods,
  type TestNamespace,
  testImages,
  waitFor,
} from '../../cluster/src/testing.js';

/**
 * Jobs through the real scheduler and Job controller; the node agent runs the pods as local
 * processes. Only the Kubernetes API is used.
 */

let ns: TestNamespace;
beforeEach(async () => {
  ns = await createTestNamespace('jobs');
});
afterEach(async () => {
  await ns.cleanup();
});

function shellJob(name: string, script: string, backoffLimit: number): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'main',
              image: testImages().shell,
              command: ['/bin/sh', '-c', script],
              resources: {
                requests: { cpu: '100m', memory: '32Mi' },
                limits: { cpu: '500m', memory: '256Mi' },
              },
            },
          ],
        },
      },
    },
  };
}

function condition(job: V1Job, type: string): { status: string; reason?: string } | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

describe('Jobs on the test cluster', () => {
  it('schedules a Job with requests and limits, runs it and marks it Complete', async () => {
    await ns.batch.createNamespacedJob({
      namespace: ns.namespace,
      body: shellJob('ok', 'echo "sum=$((2 + 3))"; test "$(pwd)" != ""', 2),
    });
    const job = await waitFor(
      'Job ok Complete',
      async () => {
        const j = await ns.batch.readNamespacedJob({ name: 'ok', namespace: ns.namespace });
        return condition(j, 'Complete') || condition(j, 'Failed') ? j : undefined;
      },
      120_000,
    );
    expect(condition(job, 'Complete')).toBeDefined();
    expect(job.status?.succeeded).toBe(1);

    const [pod] = await jobPods(ns, 'ok');
    expect(pod?.spec?.nodeName).toBeTruthy(); // bound by the scheduler
    expect(pod?.status?.phase).toBe('Succeeded');
    const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;
    expect(terminated?.exitCode).toBe(0);
    expect(terminated?.reason).toBe('Completed');
    expect(terminated?.startedAt).toBeDefined();
    expect(terminated?.finishedAt).toBeDefined();
    const log = await ns.core.readNamespacedPodLog({ name: pod!.metadata!.name!, namespace: ns.namespace });
    expect(log).toContain('sum=5');
  });

  it('deletes a finished Job after ttlSecondsAfterFinished', async () => {
    const body = shellJob('short-lived', 'echo done', 0);
    body.spec!.ttlSecondsAfterFinished = 1;
    await ns.batch.createNamespacedJob({ namespace: ns.namespace, body });
    await waitFor(
      'Job short-lived deleted by the TTL controller',
      async () => {
        try {
          await ns.batch.readNamespacedJob({ name: 'short-lived', namespace: ns.namespace });
          return undefined;
        } catch (err) {
          return (err as { code?: number }).code === 404 ? true : undefined;
        }
      },
      120_000,
      500,
    );
  });

  it('fails a Job with backoffLimit 1 after two failed pods (BackoffLimitExceeded)', async () => {
    await ns.batch.createNamespacedJob({
      namespace: ns.namespace,
      body: shellJob('bad', 'echo failing; exit 3', 1),
    });
    const job = await waitFor(
      'Job bad Failed',
      async () => {
        const j = await ns.batch.readNamespacedJob({ name: 'bad', namespace: ns.namespace });
        return condition(j, 'Failed') || condition(j, 'Complete') ? j : undefined;
      },
      150_000,
    );
    expect(condition(job, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    const pods = await jobPods(ns, 'bad');
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.status?.phase).toBe('Failed');
      const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
      expect(terminated?.exitCode).toBe(3);
      expect(terminated?.reason).toBe('Error');
    }
  });
});
