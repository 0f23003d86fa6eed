import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../apps/server/test/harness.js';
import {
  clusterKind,
  createTestNamespace,
  kubeconfigPath,
  type TestNamespace,
} from '../../cluster/src/testing.js';
import { until } from '../../setup/until.js';

/**
 * In-cluster callers: a pod's ServiceAccount token, checked by the real API server's TokenReview.
 * The test cluster has no kubelet to project token volumes, so the test asks the TokenRequest API
 * for the pod-bound token exactly as a kubelet does for a projected `serviceAccountToken` volume
 * (audience `batchyard`, bound to the pod).
 */
describe('Kubernetes ServiceAccount tokens (TokenReview)', () => {
  let ns: TestNamespace;
  let s: TestServer;

  const tokenFor = async (audience: string) => {
    const pod = await ns.core.readNamespacedPod({ name: 'runner-pod', namespace: ns.namespace });
    const request = await ns.core.createNamespacedServiceAccountToken({
      name: 'runner',
      namespace: ns.namespace,
      body: {
        spec: {
          audiences: [audience],
          expirationSeconds: 600,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'runner-pod', uid: pod.metadata!.uid! },
        },
      },
    });
    return request.status!.token;
  };

  beforeAll(async () => {
    ns = await createTestNamespace('auth');
    await ns.core.createNamespacedServiceAccount({
      namespace: ns.namespace,
      body: { metadata: { name: 'runner' } },
    });
    // Kubernetes 1.20 admits a pod of a service account only once its token Secret exists.
    await until(
      () => ns.core.readNamespacedServiceAccount({ name: 'runner', namespace: ns.namespace }),
      (sa) => (sa.secrets?.length ?? 0) > 0 || clusterKind() === 'external',
      'the runner service account token',
      60_000,
      200,
    );
    await ns.core.createNamespacedPod({
      namespace: ns.namespace,
      body: {
        metadata: { name: 'runner-pod' },
        spec: {
          serviceAccountName: 'runner',
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: 'batchyard/scripted-task:1.0', args: ['--sleep=600000'] }],
        },
      },
    });
    s = await startTestServer(
      {
        BATCHYARD_PLATFORMS: JSON.stringify([
          { name: 'k8s', type: 'kubernetes', kubeconfig: kubeconfigPath(), namespace: ns.namespace },
        ]),
        BATCHYARD_REGISTER_SAMPLES: 'false',
      },
      {
        yaml: {
          auth: {
            kubernetes: {
              audience: 'batchyard',
              serviceAccounts: { [`system:serviceaccount:${ns.namespace}:runner`]: ['VIEW', 'DEPLOY'] },
            },
          },
        },
      },
    );
  });
  afterAll(async () => {
    await s?.close();
    await ns?.cleanup();
  });

  it("accepts the pod's token for audience batchyard with the roles its service account maps to", async () => {
    const token = await tokenFor('batchyard');
    const auth = { authorization: `Bearer ${token}` };
    const about = await s.request<{ caller: unknown }>('GET', '/about', undefined, auth);
    expect(about.body.caller).toEqual({
      name: `k8s:system:serviceaccount:${ns.namespace}:runner`,
      kind: 'kubernetes',
      roles: ['VIEW', 'DEPLOY'],
    });
    expect((await s.request('GET', '/tasks/definitions', undefined, auth)).status).toBe(200);
    expect((await s.request('POST', '/tasks/definitions', { name: 'x', definition: 'y' }, auth)).status).toBe(
      403,
    );
  });

  it('refuses a token for another audience, and no token at all', async () => {
    const other = await tokenFor('vault');
    const r = await s.request<{ message: string }>('GET', '/tasks/definitions', undefined, {
      authorization: `Bearer ${other}`,
    });
    expect(r.status).toBe(401);
    expect((await s.request('GET', '/tasks/definitions')).status).toBe(401);
  });
});
