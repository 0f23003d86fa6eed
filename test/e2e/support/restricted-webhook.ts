import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { checkRestricted } from '../../../packages/k8s/src/pod-security/restricted-check.js';
import { createCa, createServingCert } from '../../cluster/src/tls.js';

/**
 * Pod Security "restricted" enforcement for a test namespace on Kubernetes 1.20, which has no Pod
 * Security admission: a ValidatingAdmissionWebhook served here over HTTPS on 127.0.0.1 that denies
 * pods failing the restricted controls (packages/k8s's checker), with a message shaped like the
 * admission plugin's. Scoped by namespaceSelector to namespaces carrying `label`, so other tests
 * sharing the control plane are untouched.
 */
export interface RestrictedWebhook {
  /** Label a namespace with this to have its pods checked. */
  label: { key: string; value: string };
  /** How many pods it refused. */
  denied(): number;
  close(): Promise<void>;
}

interface AdmissionReview {
  request?: { uid: string; object?: V1Pod };
}

export async function startRestrictedWebhook(kc: KubeConfig, id: string): Promise<RestrictedWebhook> {
  const dir = mkdtempSync(join(tmpdir(), 'batchyard-webhook-'));
  const ca = createCa(dir);
  const pair = createServingCert(dir, 'webhook', ca, ['localhost']);
  let denied = 0;
  const server: Server = createServer(
    { cert: readFileSync(pair.cert), key: readFileSync(pair.key) },
    (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        const review = JSON.parse(body) as AdmissionReview;
        const pod = review.request?.object;
        const violations = pod?.spec ? checkRestricted(pod.spec, pod.metadata?.annotations ?? {}) : [];
        if (violations.length > 0) denied++;
        const message = `violates PodSecurity "restricted:latest": ${violations
          .map((v) => `${v.control} (${v.path} ${v.message})`)
          .join(', ')}`;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            response: {
              uid: review.request?.uid ?? '',
              allowed: violations.length === 0,
              ...(violations.length > 0 ? { status: { code: 403, reason: 'Forbidden', message } } : {}),
            },
          }),
        );
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const label = { key: 'batchyard.io/pod-security-test', value: id };
  const name = `restricted-${id}`;
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  await api.createValidatingWebhookConfiguration({
    body: {
      metadata: { name },
      webhooks: [
        {
          name: 'restricted.pods.batchyard.test',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Fail',
          timeoutSeconds: 10,
          namespaceSelector: { matchLabels: { [label.key]: label.value } },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
          clientConfig: {
            url: `https://127.0.0.1:${port}/validate`,
            caBundle: readFileSync(ca.cert).toString('base64'),
          },
        },
      ],
    },
  });
  return {
    label,
    denied: () => denied,
    close: async () => {
      await api.deleteValidatingWebhookConfiguration({ name }).catch(() => undefined);
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
