import { leaderLease, type PrismaClient } from '@batchyard/db';
import { CoordinationV1Api, type KubeConfig, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { decide, type LeaseRecord, type Observation, observe } from './decide.js';

/** Where the lease lives: a Kubernetes Lease, or a row in PostgreSQL. */
export type RenewResult = { leading: true; epoch: number } | { leading: false; holder?: string };

export interface LeaseBackend {
  readonly kind: 'kubernetes' | 'postgres';
  tryAcquireOrRenew(identity: string): Promise<RenewResult>;
  release(identity: string): Promise<void>;
}

export class PostgresLease implements LeaseBackend {
  readonly kind = 'postgres';
  constructor(
    private readonly prisma: PrismaClient,
    private readonly name: string,
    private readonly leaseDurationMs: number,
  ) {}

  tryAcquireOrRenew(identity: string): Promise<RenewResult> {
    return leaderLease.tryAcquireOrRenew(this.prisma, this.name, identity, this.leaseDurationMs);
  }

  release(identity: string): Promise<void> {
    return leaderLease.release(this.prisma, this.name, identity);
  }
}

const statusOf = (err: unknown): number | undefined => (err as { code?: number }).code;

/**
 * A coordination.k8s.io/v1 Lease, as client-go's leaderelection uses it: read, decide on the local
 * clock since the record last changed, then create or update with the read resourceVersion, so of
 * two candidates racing only one write lands (the other gets 409 and tries again next period).
 */
export class KubernetesLease implements LeaseBackend {
  readonly kind = 'kubernetes';
  private readonly api: CoordinationV1Api;
  private observed: Observation | undefined;

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
    private readonly leaseDurationMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  async tryAcquireOrRenew(identity: string): Promise<RenewResult> {
    let lease: V1Lease | undefined;
    try {
      lease = await this.api.readNamespacedLease({ name: this.name, namespace: this.namespace });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    const start = this.now();
    if (!lease) return this.write(identity, undefined, 0, start);
    const record = recordOf(lease);
    this.observed = observe(this.observed, record, start);
    const decision = decide(this.observed, identity, start);
    if (decision === 'held-by-other') return { leading: false, holder: record.holder };
    const transitions = decision === 'acquire' ? record.transitions + 1 : record.transitions;
    return this.write(identity, lease, transitions, start);
  }

  private async write(
    identity: string,
    lease: V1Lease | undefined,
    transitions: number,
    start: number,
  ): Promise<RenewResult> {
    const now = new V1MicroTime(new Date(start).toISOString());
    const renewing = lease?.spec?.holderIdentity === identity;
    const body: V1Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        resourceVersion: lease?.metadata?.resourceVersion,
      },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        acquireTime: renewing ? lease?.spec?.acquireTime : now,
        renewTime: now,
        leaseTransitions: transitions,
      },
    };
    try {
      const written = lease
        ? await this.api.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body })
        : await this.api.createNamespacedLease({ namespace: this.namespace, body });
      this.observed = { record: recordOf(written), observedAt: start };
      return { leading: true, epoch: transitions };
    } catch (err) {
      // Another candidate wrote first: not leading this round.
      if (statusOf(err) === 409) return { leading: false };
      throw err;
    }
  }

  async release(identity: string): Promise<void> {
    const lease = await this.api
      .readNamespacedLease({ name: this.name, namespace: this.namespace })
      .catch(() => undefined);
    if (lease?.spec?.holderIdentity !== identity) return;
    lease.spec.holderIdentity = undefined;
    lease.spec.renewTime = new V1MicroTime(new Date(0).toISOString());
    await this.api
      .replaceNamespacedLease({ name: this.name, namespace: this.namespace, body: lease })
      .catch(() => undefined);
  }
}

function recordOf(lease: V1Lease): LeaseRecord {
  return {
    holder: lease.spec?.holderIdentity ?? undefined,
    leaseDurationMs: (lease.spec?.leaseDurationSeconds ?? 15) * 1000,
    transitions: lease.spec?.leaseTransitions ?? 0,
    version: lease.metadata?.resourceVersion ?? '',
  };
}
