import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * CPUs the container may use, from its cgroup: v2 `cpu.max` ("<quota> <period>" or "max <period>"),
 * else v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`. A fractional limit rounds up (a 1.5-CPU pod gets
 * two threads, each throttled as the kernel decides). `undefined` when there is no limit.
 */
export function cgroupCpuLimit(read: (path: string) => string | undefined): number | undefined {
  const max = read('/sys/fs/cgroup/cpu.max')?.trim();
  if (max) {
    const [quota, period] = max.split(/\s+/);
    if (quota === 'max') return undefined;
    return ratio(Number(quota), Number(period ?? 100000));
  }
  const quota = read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')?.trim();
  const period = read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')?.trim();
  if (quota && period && Number(quota) > 0) return ratio(Number(quota), Number(period));
  return undefined;
}

function ratio(quota: number, period: number): number | undefined {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return undefined;
  return Math.max(1, Math.ceil(quota / period));
}

const readOrUndefined = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The default thread count of a pool: the pod's CPU limit (its cgroup), never more than the CPUs
 * Node sees (`os.availableParallelism()`), at least 1. On Kubernetes that is `resources.limits.cpu`
 * of the task's container (deployer property `deployer.<app>.kubernetes.limits.cpu`).
 */
export function defaultPoolSize(
  read: (path: string) => string | undefined = readOrUndefined,
  cpus: number = availableParallelism(),
): number {
  const limit = cgroupCpuLimit(read);
  return Math.max(1, Math.min(limit ?? cpus, cpus));
}
