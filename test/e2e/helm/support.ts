import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
// @ts-expect-error -- plain ESM script without declarations
import { toolPaths } from '../../../scripts/helm.mjs';
import { kubeconfigPath, type TestNamespace, waitFor } from '../../cluster/src/testing.js';

export const chart = fileURLToPath(new URL('../../../charts/batchyard', import.meta.url));
const tools = toolPaths() as { helm: string; kubectl: string };

/** helm against the test control plane; resolves with stdout, rejects with stderr in the message. */
export async function helm(args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(tools.helm, [...args, '--kubeconfig', kubeconfigPath()], {
      env: {
        ...process.env,
        HELM_CACHE_HOME: '/tmp/batchyard-helm-cache',
        HELM_CONFIG_HOME: '/tmp/batchyard-helm-config',
      },
    });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`helm ${args.join(' ')}: ${e.stderr ?? e.message}`);
  }
}

/** kubectl against the test control plane (admin), with `input` on stdin. */
export async function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      tools.kubectl,
      [...args, '--kubeconfig', kubeconfigPath()],
      (err, stdout, stderr) =>
        err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    );
    child.stdin?.end(input ?? '');
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A KubeConfig that authenticates as `serviceAccount` (its token Secret, as a pod would). */
export async function serviceAccountKubeConfig(
  ns: TestNamespace,
  serviceAccount: string,
): Promise<KubeConfig> {
  const core = ns.kc.makeApiClient(CoreV1Api);
  const token = await waitFor(
    `token of ${ns.namespace}/${serviceAccount}`,
    async () => {
      const sa = await core
        .readNamespacedServiceAccount({ name: serviceAccount, namespace: ns.namespace })
        .catch(() => undefined);
      const secretName = sa?.secrets?.[0]?.name;
      if (!secretName) return undefined;
      const secret = await core.readNamespacedSecret({ name: secretName, namespace: ns.namespace });
      const b64 = secret.data?.token;
      return b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
    },
    60_000,
  );
  const cluster = ns.kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster');
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(cluster, {
    name: `system:serviceaccount:${ns.namespace}:${serviceAccount}`,
    token,
  });
  return kc;
}

export async function http<T>(
  port: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
