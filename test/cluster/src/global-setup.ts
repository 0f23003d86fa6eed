import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startTestCluster, type TestCluster } from './cluster.js';
import { defaultTestImages, type TestImages } from './node-agent/images.js';

/**
 * Vitest global setup of the e2e project: one control plane and one node agent per run, shared
 * by all test files (each test works in its own namespace, see testing.ts).
 *
 * BATCHYARD_E2E_KUBECONFIG=<path> points the tier at an existing cluster (kind, k3s, …) instead;
 * nothing is started then. BATCHYARD_E2E_KEEP_STATE=1 keeps the local cluster's logs.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** Kubeconfig of the cluster under test (admin rights). */
    batchyardKubeconfig: string;
    /** 'local': the test control plane with the node agent; 'external': BATCHYARD_E2E_KUBECONFIG. */
    batchyardClusterKind: 'local' | 'external';
    /** Images the tests use for shell scripts, node scripts and the sample task. */
    batchyardTestImages: TestImages;
  }
}

let cluster: TestCluster | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const images = defaultTestImages();
  project.provide('batchyardTestImages', images);
  const external = process.env.BATCHYARD_E2E_KUBECONFIG;
  if (external) {
    if (!existsSync(external)) throw new Error(`BATCHYARD_E2E_KUBECONFIG=${external} does not exist`);
    project.provide('batchyardKubeconfig', external);
    project.provide('batchyardClusterKind', 'external');
    return async () => {};
  }
  const started = Date.now();
  cluster = await startTestCluster({
    controlPlane: { keepState: process.env.BATCHYARD_E2E_KEEP_STATE === '1' },
  });
  process.stderr.write(
    `[test-cluster] control plane and node agent up in ${Date.now() - started} ms; kubeconfig ${cluster.kubeconfigPath}\n`,
  );
  project.provide('batchyardKubeconfig', cluster.kubeconfigPath);
  project.provide('batchyardClusterKind', 'local');
  return async () => {
    await cluster?.stop();
    cluster = undefined;
  };
}
