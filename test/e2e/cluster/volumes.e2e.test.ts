import { existsSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canMountPrivately } from '../../cluster/src/node-agent/volumes.js';
import {
  createTestNamespace,
  type TestNamespace,
  testImages,
  waitForPod,
} from '../../cluster/src/testing.js';

/** Volumes a kubelet mounts, including the service-account token in-cluster clients read. */
let ns: TestNamespace;
beforeEach(async () => {
  ns = await createTestNamespace('vol');
});
afterEach(async () => {
  await ns.cleanup();
});

const done = (p: V1Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

describe.runIf(canMountPrivately())('volumes on the test cluster', () => {
  it('mounts the service-account token, a ConfigMap under /etc and an emptyDir, visible only to the pod', async () => {
    await ns.core.createNamespacedConfigMap({
      namespace: ns.namespace,
      body: { metadata: { name: 'cfg' }, data: { 'app.yaml': 'level: debug\n' } },
    });
    await ns.core.createNamespacedPod({
      namespace: ns.namespace,
      body: {
        metadata: { name: 'reader' },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'main',
              image: testImages().shell,
              command: [
                '/bin/sh',
                '-c',
                [
                  'cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo',
                  'test -s /var/run/secrets/kubernetes.io/serviceaccount/token && echo token-ok',
                  'test -s /var/run/secrets/kubernetes.io/serviceaccount/ca.crt && echo ca-ok',
                  'cat /etc/batchyard-e2e/app.yaml',
                  'echo "$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"',
                  'touch /etc/batchyard-e2e/nope 2>/dev/null || echo read-only',
                ].join('\n'),
              ],
              volumeMounts: [
                { name: 'cfg', mountPath: '/etc/batchyard-e2e' },
                { name: 'tmp', mountPath: '/tmp/batchyard-e2e-scratch' },
              ],
            },
          ],
          volumes: [
            { name: 'cfg', configMap: { name: 'cfg' } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    });
    const pod = await waitForPod(ns, 'reader', 'finished', done);
    expect(pod.status?.phase).toBe('Succeeded');
    const log = await ns.core.readNamespacedPodLog({ name: 'reader', namespace: ns.namespace });
    const server = new URL(ns.kc.getCurrentCluster()?.server ?? '');
    expect(log.split('\n')).toEqual(
      expect.arrayContaining([
        ns.namespace,
        'token-ok',
        'ca-ok',
        'level: debug',
        `${server.hostname}:${server.port}`,
        'read-only',
      ]),
    );
    expect(existsSync('/etc/batchyard-e2e')).toBe(false); // the host never sees the pod's mounts
  });
});
