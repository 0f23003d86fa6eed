import type { V1Job, V1ResourceQuota } from '@kubernetes/client-node';
import { parseQuantity } from './quantity.js';

// Would one more pod of this Job fit the namespace's ResourceQuotas? Over quota, Kubernetes still
// accepts the Job but its controller cannot create the pod (only an Event says so), leaving the
// execution PENDING without a reason. The server checks first and queues instead ("queue, don't
// reject"). Quota scopes (BestEffort, Terminating, PriorityClass selectors) are not evaluated: a
// scoped quota is treated as applying, which can only queue too early, never launch over quota.

export interface QuotaShortfall {
  quota: string;
  resource: string;
  requested: string;
  used: string;
  hard: string;
}

/**
 * What one pod of `job` (plus the Job itself) counts against a quota, by quota resource name.
 * Requests default to limits where only limits are given, as Kubernetes defaults them.
 */
export function jobQuotaDemand(job: V1Job): Map<string, bigint> {
  const demand = new Map<string, bigint>();
  const add = (resource: string, nanos: bigint): void => {
    demand.set(resource, (demand.get(resource) ?? 0n) + nanos);
  };
  const one = 1_000_000_000n;
  add('pods', one);
  add('count/pods', one);
  add('count/jobs.batch', one);
  for (const container of job.spec?.template.spec?.containers ?? []) {
    const limits = container.resources?.limits ?? {};
    const requests = { ...limits, ...container.resources?.requests };
    for (const [name, value] of Object.entries(requests)) {
      const nanos = parseQuantity(String(value)).nanos;
      add(`requests.${name}`, nanos);
      // Bare `cpu`, `memory` and `ephemeral-storage` in a quota mean requests.
      if (name === 'cpu' || name === 'memory' || name === 'ephemeral-storage') add(name, nanos);
    }
    for (const [name, value] of Object.entries(limits))
      add(`limits.${name}`, parseQuantity(String(value)).nanos);
  }
  return demand;
}

function formatNanos(nanos: bigint): string {
  const whole = nanos / 1_000_000_000n;
  const rest = nanos % 1_000_000_000n;
  if (rest === 0n) return whole.toString();
  if (rest % 1_000_000n === 0n) return `${nanos / 1_000_000n}m`;
  return `${nanos}n`;
}

/** Every quota resource the Job's next pod would exceed; empty when it fits. */
export function quotaShortfalls(quotas: readonly V1ResourceQuota[], job: V1Job): QuotaShortfall[] {
  const demand = jobQuotaDemand(job);
  const shortfalls: QuotaShortfall[] = [];
  for (const quota of quotas) {
    const hard = quota.status?.hard ?? quota.spec?.hard ?? {};
    const used = quota.status?.used ?? {};
    for (const [resource, limit] of Object.entries(hard)) {
      const requested = demand.get(resource);
      if (requested === undefined) continue;
      const usedNanos = used[resource] !== undefined ? parseQuantity(String(used[resource])).nanos : 0n;
      if (usedNanos + requested > parseQuantity(String(limit)).nanos) {
        shortfalls.push({
          quota: quota.metadata?.name ?? '',
          resource,
          requested: formatNanos(requested),
          used: String(used[resource] ?? '0'),
          hard: String(limit),
        });
      }
    }
  }
  return shortfalls;
}
