import {
  type DeployerProperties,
  decide,
  emptyDeployerProperties,
  executionSelector,
  type JobBuildInput,
  jobName,
  type KubeClient,
  type RecordedExecution,
} from '@batchyard/k8s';
import type { TestNamespace } from '../../cluster/src/testing.js';
import { testImages, waitFor } from '../../cluster/src/testing.js';

/** The Secret every launch's BATCHYARD_DATABASE_URL comes from. */
export const DB_SECRET = { name: 'batchyard-db', key: 'url' };

export async function createDatabaseSecret(ns: TestNamespace): Promise<void> {
  await ns.core.createNamespacedSecret({
    namespace: ns.namespace,
    body: {
      metadata: { name: DB_SECRET.name },
      stringData: { [DB_SECRET.key]: 'postgres://batchyard:not-a-real-password@127.0.0.1:5432/batchyard' },
    },
  });
}

let nextId = 1000;

/**
 * A launch of a node script. The node image's entrypoint is `node` (node:20-alpine's entrypoint
 * also runs node for arguments starting with '-'), so the task's args are `-e <script>`.
 */
export function nodeLaunch(
  ns: TestNamespace,
  script: string,
  properties: DeployerProperties = emptyDeployerProperties(),
  overrides: Partial<JobBuildInput> = {},
): JobBuildInput {
  return {
    executionId: nextId++,
    taskName: 'e2e-task',
    appName: 'node-script',
    accountName: 'default',
    namespace: ns.namespace,
    image: testImages().node,
    args: ['-e', script],
    databaseSecret: DB_SECRET,
    properties,
    ...overrides,
  };
}

export const DECIDE_OPTIONS = { pendingTimeoutMs: 4_000, launchGraceMs: 10_000 };

/**
 * Plays the reconciler for one execution: observe the Job and its pods through the API, decide,
 * apply the decision to the in-memory record (and delete the Job when told), until `until` holds.
 */
export async function reconcileUntil(
  client: KubeClient,
  launch: JobBuildInput,
  start: RecordedExecution,
  until: (record: RecordedExecution) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<RecordedExecution> {
  let record = start;
  const name = jobName(launch.taskName, launch.executionId);
  return waitFor(
    what,
    async () => {
      const job = await client.readJob(launch.namespace, name);
      const pods = await client.listPods(launch.namespace, executionSelector(launch.executionId));
      const decision = decide({ job, pods }, record, new Date(), DECIDE_OPTIONS);
      if (decision) {
        const { deleteJob, ...fields } = decision;
        record = { ...record, ...fields };
        if (deleteJob) await client.deleteJob(launch.namespace, name);
      }
      return until(record) ? record : undefined;
    },
    timeoutMs,
    300,
  );
}
