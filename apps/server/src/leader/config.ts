import { hostname } from 'node:os';
import { z } from 'zod';
import { timingProblem } from './decide.js';

/** `leader`: how replicas choose the one that runs the singleton loops (client-go's defaults). */
export const LeaderConfig = z
  .object({
    /** auto: the PostgreSQL lease; kubernetes: a Lease in the first kubernetes account's namespace. */
    backend: z.enum(['auto', 'kubernetes', 'postgres']).default('auto'),
    leaseName: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label')
      .default('batchyard-leader'),
    /** Namespace of the Kubernetes Lease; omitted = the first kubernetes account's. */
    namespace: z.string().min(1).max(63).optional(),
    leaseDurationSeconds: z.coerce.number().min(1).max(600).default(15),
    renewDeadlineSeconds: z.coerce.number().min(0.5).max(600).default(10),
    retryPeriodSeconds: z.coerce.number().min(0.1).max(60).default(2),
    /** This replica's identity in the lease; omitted = host name, process id and a random suffix. */
    replicaId: z.string().min(1).max(255).optional(),
  })
  .superRefine((c, ctx) => {
    const problem = timingProblem({
      leaseDurationMs: c.leaseDurationSeconds * 1000,
      renewDeadlineMs: c.renewDeadlineSeconds * 1000,
      retryPeriodMs: c.retryPeriodSeconds * 1000,
    });
    if (problem) ctx.addIssue({ code: 'custom', path: ['renewDeadlineSeconds'], message: problem });
  })
  .prefault({});
export type LeaderConfig = z.infer<typeof LeaderConfig>;

export const LEADER_ENV_KEYS: Record<string, string> = {
  BATCHYARD_LEADER_BACKEND: 'leader.backend',
  BATCHYARD_LEADER_LEASE_SECONDS: 'leader.leaseDurationSeconds',
  BATCHYARD_LEADER_RENEW_DEADLINE_SECONDS: 'leader.renewDeadlineSeconds',
  BATCHYARD_LEADER_RETRY_SECONDS: 'leader.retryPeriodSeconds',
  BATCHYARD_REPLICA_ID: 'leader.replicaId',
};

export function defaultReplicaId(): string {
  return `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
