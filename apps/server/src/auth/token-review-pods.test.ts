import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesAuthConfig } from './config.js';
import { kubernetesReview, podOfReview, type TaskPods, TokenReviewAuthenticator } from './token-review.js';

const POD_UID = '0b6f3c0e-8a51-4a8e-9b0e-3c1f0d9f6a11';
/** What kube-apiserver 1.20 answers for a pod-bound projected token (the e2e uses the real one). */
const reviewed = (body: { spec: { token: string; audiences: string[] } }) => ({
  kind: 'TokenReview',
  apiVersion: 'authentication.k8s.io/v1',
  metadata: { creationTimestamp: null },
  spec: body.spec,
  status: {
    authenticated: true,
    user: {
      username: 'system:serviceaccount:batch:default',
      uid: '5a1c2f0e-1111-4c3d-8e9f-222233334444',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:batch', 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/pod-name': ['partitioned-demo-41-x7k2p'],
        'authentication.kubernetes.io/pod-uid': [POD_UID],
      },
    },
    audiences: body.spec.audiences,
  },
});

describe('kubernetesReview reads the pod a bound token names', () => {
  let server: Server;
  let kc: KubeConfig;
  const asked: unknown[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      req.on('end', () => {
        const body = JSON.parse(text) as { spec: { token: string; audiences: string[] } };
        asked.push({ method: req.method, url: req.url, spec: body.spec });
        res.setHeader('content-type', 'application/json');
        res.statusCode = 201;
        res.end(JSON.stringify(reviewed(body)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          skipTLSVerify: true,
        },
      ],
      users: [{ name: 'u', token: 'admin' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks for the audience and returns user.extra, from which the pod follows', async () => {
    const result = await kubernetesReview(kc)('projected-token', 'batchyard');
    expect(asked).toEqual([
      {
        method: 'POST',
        url: '/apis/authentication.k8s.io/v1/tokenreviews',
        spec: { token: 'projected-token', audiences: ['batchyard'] },
      },
    ]);
    expect(podOfReview(result)).toEqual({
      namespace: 'batch',
      name: 'partitioned-demo-41-x7k2p',
      uid: POD_UID,
    });
  });
});

describe('TokenReviewAuthenticator with task pods', () => {
  const config = KubernetesAuthConfig.parse({ cacheSeconds: 60 });
  const review = async () => ({
    username: 'system:serviceaccount:batch:default',
    audiences: ['batchyard'],
    extra: {
      'authentication.kubernetes.io/pod-name': ['partitioned-demo-41-x7k2p'],
      'authentication.kubernetes.io/pod-uid': [POD_UID],
    },
  });

  function pods(map: Record<string, number>, live: Set<number>) {
    const lookups: string[] = [];
    const taskPods: TaskPods = {
      async executionOf(pod) {
        lookups.push(`${pod.namespace}/${pod.name}/${pod.uid}`);
        return map[pod.name];
      },
      async running(id) {
        return live.has(id);
      },
    };
    return { lookups, taskPods };
  }

  it('acts for the execution whose Job owns the pod, and only while it runs', async () => {
    const live = new Set([41]);
    const { lookups, taskPods } = pods({ 'partitioned-demo-41-x7k2p': 41 }, live);
    const a = new TokenReviewAuthenticator(config, review);
    a.taskPods = taskPods;
    expect(await a.authenticate('t')).toMatchObject({
      kind: 'kubernetes',
      name: 'k8s:system:serviceaccount:batch:default',
      executionId: 41,
    });
    expect((await a.authenticate('t')).roles.size).toBe(0);
    live.delete(41);
    // The mapping is cached with the review; the execution's state is not.
    expect(await a.authenticate('t')).not.toHaveProperty('executionId');
    expect(lookups).toEqual([`batch/partitioned-demo-41-x7k2p/${POD_UID}`]);
  });

  it('a pod that is no task of Batchyard is just its service account', async () => {
    const a = new TokenReviewAuthenticator(config, review);
    a.taskPods = pods({}, new Set()).taskPods;
    expect(await a.authenticate('t')).not.toHaveProperty('executionId');
  });

  it('refuses, without caching, when the pod cannot be looked up', async () => {
    let fail = true;
    const a = new TokenReviewAuthenticator(config, review);
    a.taskPods = {
      async executionOf() {
        if (fail) throw new Error('connection refused');
        return 41;
      },
      running: async () => true,
    };
    await expect(a.authenticate('t')).rejects.toThrow(
      'the pod batch/partitioned-demo-41-x7k2p could not be looked up',
    );
    fail = false;
    expect(await a.authenticate('t')).toMatchObject({ executionId: 41 });
  });

  it('a token bound to no pod (a legacy Secret token) names none', () => {
    expect(podOfReview({ username: 'system:serviceaccount:batch:default' })).toBeUndefined();
    expect(
      podOfReview({ username: 'alice', extra: { 'authentication.kubernetes.io/pod-name': ['p'] } }),
    ).toBeUndefined();
  });
});
