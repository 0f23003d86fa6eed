import { isTerminal, type TaskStatus } from '@batchyard/core';
import { executions, type PrismaClient } from '@batchyard/db';
import type { TaskPods, TokenPod } from '../auth/token-review.js';
import { KubernetesPlatform } from '../platform/kubernetes.js';
import type { PlatformRegistry } from '../platform/registry.js';

/**
 * A task pod on Kubernetes authenticates as its own execution with its projected ServiceAccount
 * token: the TokenReview names the pod it is bound to (user.extra pod-name, pod-uid), the pod's
 * controller is the Job the launcher created, and the Job's name is the execution's external id.
 * Only accounts on the cluster that reviewed the token (`server`) and of the pod's namespace count,
 * so a pod of another cluster with the same names cannot stand in for it.
 */
export function taskPodsOf(
  db: PrismaClient,
  platforms: PlatformRegistry,
  server: string | undefined,
): TaskPods {
  const accounts = platforms.platforms.filter(
    (p): p is KubernetesPlatform => p instanceof KubernetesPlatform && p.server === server,
  );
  return {
    async executionOf(pod: TokenPod) {
      for (const account of accounts.filter((a) => a.namespace === pod.namespace)) {
        const job = await account.jobOfPod(pod.name, pod.uid);
        if (!job) continue;
        const row = await executions.findByExternalId(db, job);
        if (row && row.platformName === account.name) return row.id;
      }
      return undefined;
    },
    async running(executionId: number) {
      const row = await executions.findExecution(db, executionId);
      return row !== null && !isTerminal(row.status as TaskStatus);
    },
  };
}
