import type { PrismaClient } from '@batchyard/db';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { loadKubeConfig } from '../platform/kubernetes.js';
import { serviceAccountNamespace } from '../platform/rbac.js';
import { KubernetesLease, type LeaseBackend, PostgresLease } from './backends.js';
import { defaultReplicaId } from './config.js';
import { Leadership } from './elector.js';
import { Fence } from './fence.js';

/** The leadership of this replica, on the backend the configuration picks. */
export function createLeadership(config: Readonly<Config>, prisma: PrismaClient, logger: Logger): Leadership {
  const c = config.leader;
  const durationMs = c.leaseDurationSeconds * 1000;
  const kube = config.platforms.find((p) => p.type === 'kubernetes');
  // auto: the PostgreSQL lease, which every deployment has (one database clock, no extra RBAC);
  // `kubernetes` opts into a coordination.k8s.io Lease (needs get/create/update on leases).
  const useKube = c.backend === 'kubernetes';
  let backend: LeaseBackend;
  if (useKube && kube?.type === 'kubernetes') {
    const namespace = c.namespace ?? kube.namespace ?? serviceAccountNamespace() ?? 'default';
    backend = new KubernetesLease(loadKubeConfig(kube), namespace, c.leaseName, durationMs);
  } else {
    backend = new PostgresLease(prisma, c.leaseName, durationMs);
  }
  const log = logger.child({ component: 'leader' });
  return new Leadership(
    backend,
    c.replicaId ?? defaultReplicaId(),
    {
      leaseDurationMs: durationMs,
      renewDeadlineMs: c.renewDeadlineSeconds * 1000,
      retryPeriodMs: c.retryPeriodSeconds * 1000,
    },
    log,
    // In PostgreSQL whatever the backend: the loops' writes check it in their own transactions.
    new Fence(prisma, c.leaseName, log, c.renewDeadlineSeconds * 1000),
  );
}
