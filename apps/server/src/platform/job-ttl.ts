import {
  DEFAULT_TTL_SECONDS_AFTER_FINISHED,
  failureCondition,
  successCondition,
  toDate,
} from '@batchyard/k8s';
import type { V1Job } from '@kubernetes/client-node';

/**
 * Names of finished Jobs whose ttlSecondsAfterFinished has passed. Kubernetes deletes those
 * itself from 1.21; on older clusters (the field is alpha and off in 1.20) the server does it,
 * so finished Jobs never pile up — one of SCDF's long-standing complaints.
 */
export function expiredJobs(jobs: readonly V1Job[], now: Date): string[] {
  const expired: string[] = [];
  for (const job of jobs) {
    const finished = successCondition(job) ?? failureCondition(job);
    if (!finished || job.metadata?.deletionTimestamp) continue;
    const at = toDate(finished.lastTransitionTime) ?? toDate(job.status?.completionTime);
    if (!at) continue;
    const ttl = job.spec?.ttlSecondsAfterFinished ?? DEFAULT_TTL_SECONDS_AFTER_FINISHED;
    if (at.getTime() + ttl * 1000 <= now.getTime() && job.metadata?.name) expired.push(job.metadata.name);
  }
  return expired;
}
