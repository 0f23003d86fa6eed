/**
 * Image names the e2e tests put into pod specs. On the local tier the node agent's image table
 * maps them to local commands; against a real cluster, point them at real images with
 * BATCHYARD_E2E_SHELL_IMAGE / BATCHYARD_E2E_NODE_IMAGE / BATCHYARD_E2E_SAMPLE_IMAGE.
 */
export interface TestImages {
  /** Runs `command`/`args` with /bin/sh as the entrypoint (e.g. busybox on a real cluster). */
  shell: string;
  /** Entrypoint `node` (e.g. node:20-alpine on a real cluster). */
  node: string;
  /** The sample batch task (apps/sample-task). */
  sample: string;
}

export function defaultTestImages(env: NodeJS.ProcessEnv = process.env): TestImages {
  return {
    shell: env.BATCHYARD_E2E_SHELL_IMAGE ?? 'batchyard/test-shell:1',
    node: env.BATCHYARD_E2E_NODE_IMAGE ?? 'batchyard/test-node:1',
    sample: env.BATCHYARD_E2E_SAMPLE_IMAGE ?? 'batchyard/worker-sample:1.0',
  };
}
