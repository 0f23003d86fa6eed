import { randomBytes } from 'node:crypto';
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { inject } from 'vitest';
import type { TestImages } from './node-agent/images.js';
import { waitFor } from './processes.js';

/**
 * Helpers for e2e tests (inside vitest workers). The cluster comes from global-setup.ts through
 * vitest's provide/inject; each test gets its own namespace so tests never see each other's
 * objects.
 */

export { waitFor };

export function kubeconfigPath(): string {
  return inject('batchyardKubeconfig');
}

export function testImages(): TestImages {
  return inject('batchyardTestImages');
}

export function clusterKind(): 'local' | 'external' {
  return inject('batchyardClusterKind');
}

export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

export interface TestNamespace {
  kc: KubeConfig;
  namespace: string;
  core: CoreV1Api;
  batch: BatchV1Api;
  /** Deletes the namespace (in the background; the namespace controller finishes it). */
  cleanup(): Promise<void>;
}

/**
 * A fresh namespace, returned once its default ServiceAccount has a token: before that, the
 * ServiceAccount admission plugin rejects pods in it.
 */
export async function createTestNamespace(prefix = 'e2e'): Promise<TestNamespace> {
  const kc = loadKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const namespace = `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase().slice(0, 63);
  await core.createNamespace({
    body: { metadata: { name: namespace, labels: { 'batchyard.io/e2e': 'true' } } },
  });
  await waitFor(
    `default ServiceAccount in ${namespace}`,
    async () => {
      const sa = await core.readNamespacedServiceAccount({ name: 'default', namespace });
      // Clusters with bound tokens (1.24+) do not create token Secrets: the SA existing is enough.
      return (sa.secrets?.length ?? 0) > 0 || clusterKind() === 'external' ? true : undefined;
    },
    60_000,
  );
  return {
    kc,
    namespace,
    core,
    batch,
    cleanup: async () => {
      try {
        await core.deleteNamespace({ name: namespace, propagationPolicy: 'Background' });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    },
  };
}

/** Poll a pod until `predicate` holds; returns the pod. Generous default deadline. */
export function waitForPod(
  ns: TestNamespace,
  name: string,
  what: string,
  predicate: (pod: V1Pod) => boolean,
  timeoutMs = 90_000,
): Promise<V1Pod> {
  return waitFor(
    `pod ${ns.namespace}/${name}: ${what}`,
    async () => {
      const pod = await ns.core.readNamespacedPod({ name, namespace: ns.namespace });
      return predicate(pod) ? pod : undefined;
    },
    timeoutMs,
    250,
  );
}

/** Pods of a Job, by the `job-name` label the Job controller sets. */
export async function jobPods(ns: TestNamespace, jobName: string): Promise<V1Pod[]> {
  const list = await ns.core.listNamespacedPod({
    namespace: ns.namespace,
    labelSelector: `job-name=${jobName}`,
  });
  return list.items;
}
