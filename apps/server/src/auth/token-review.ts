import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { sha256Hex } from './api-tokens.js';
import type { KubernetesAuthConfig } from './config.js';
import { AuthError } from './errors.js';
import { mapRoles, type Principal } from './principal.js';

/** What a TokenReview said of a token: the service account's user name, or nothing. */
export interface ReviewResult {
  username?: string;
  audiences?: string[];
  /** user.extra: for a token bound to a pod, `authentication.kubernetes.io/pod-name` and `…/pod-uid`. */
  extra?: Record<string, string[]>;
}

export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
export const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';

/** A pod a bound ServiceAccount token names (Kubernetes ≥ 1.11 puts it in the review's user.extra). */
export interface TokenPod {
  namespace: string;
  name: string;
  uid?: string;
}

/**
 * Which task execution (if any) a pod runs, and whether that execution is still running: set by
 * the partitions capability once the platforms exist (partitions/task-pods.ts).
 */
export interface TaskPods {
  executionOf(pod: TokenPod): Promise<number | undefined>;
  running(executionId: number): Promise<boolean>;
}

/** The pod a review's user is bound to: the service account's namespace and the pod-name extra. */
export function podOfReview(result: ReviewResult): TokenPod | undefined {
  const ns = /^system:serviceaccount:([^:]+):[^:]+$/.exec(result.username ?? '')?.[1];
  const name = result.extra?.[POD_NAME_EXTRA]?.[0];
  if (!ns || !name) return undefined;
  const uid = result.extra?.[POD_UID_EXTRA]?.[0];
  return { namespace: ns, name, ...(uid ? { uid } : {}) };
}

/** The cluster call, injected so the cache and the mapping are tested without a cluster. */
export type ReviewToken = (token: string, audience: string) => Promise<ReviewResult>;

export function kubernetesReview(kc: KubeConfig): ReviewToken {
  const api = kc.makeApiClient(AuthenticationV1Api);
  return async (token, audience) => {
    const review = await api.createTokenReview({
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, audiences: [audience] },
      },
    });
    const status = review.status;
    if (!status?.authenticated) return {};
    return { username: status.user?.username, audiences: status.audiences, extra: status.user?.extra };
  };
}

/** `system:serviceaccount:<ns>:<name>` → roles: the exact name, else `<ns>:*` for the namespace. */
export function serviceAccountRoles(username: string, mappings: KubernetesAuthConfig['serviceAccounts']) {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (!m) return new Set<never>();
  return mapRoles([username, `${m[1]}:${m[2]}`, `${m[1]}:*`], mappings);
}

interface Cached {
  until: number;
  principal?: Principal;
  reason?: string;
}

/**
 * In-cluster callers (task pods, CronJob pods, the chart's components) present their projected
 * ServiceAccount token; the API server's TokenReview says whose it is and for which audience.
 * Answers (yes and no) are cached briefly by the token's hash, so a busy pod costs one review a
 * minute, not one per request.
 */
export class TokenReviewAuthenticator {
  private readonly cache = new Map<string, Cached>();
  /** With it, a token bound to a task pod acts for that pod's execution (partition routes). */
  taskPods: TaskPods | undefined;

  constructor(
    private readonly config: KubernetesAuthConfig,
    private readonly review: ReviewToken,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(token: string): Promise<Principal> {
    const key = sha256Hex(token);
    const now = this.now();
    let entry = this.cache.get(key);
    if (!entry || entry.until <= now) {
      entry = await this.lookup(token, now);
      if (this.cache.size > 10_000) this.cache.clear();
      if (this.config.cacheSeconds > 0) this.cache.set(key, entry);
    }
    if (!entry.principal) throw new AuthError('UNAUTHENTICATED', entry.reason ?? 'the token is not valid');
    const { executionId, ...rest } = entry.principal;
    // Checked at every request, not cached: the grant ends the moment the execution does.
    if (executionId !== undefined && !(await this.taskPods?.running(executionId))) return rest;
    return entry.principal;
  }

  private async lookup(token: string, now: number): Promise<Cached> {
    const until = now + this.config.cacheSeconds * 1000;
    let result: ReviewResult;
    try {
      result = await this.review(token, this.config.audience);
    } catch {
      // Not cached: the cluster being unreachable says nothing about the token.
      throw new AuthError('UNAUTHENTICATED', 'the Kubernetes API could not review the token');
    }
    if (!result.username) return { until, reason: 'the Kubernetes API did not accept the token' };
    if (result.audiences && !result.audiences.includes(this.config.audience)) {
      return { until, reason: `the token is not for audience ${this.config.audience}` };
    }
    const pod = podOfReview(result);
    let executionId: number | undefined;
    if (pod && this.taskPods) {
      try {
        executionId = await this.taskPods.executionOf(pod);
      } catch {
        throw new AuthError('UNAUTHENTICATED', `the pod ${pod.namespace}/${pod.name} could not be looked up`);
      }
    }
    return {
      until,
      principal: {
        kind: 'kubernetes',
        name: `k8s:${result.username}`,
        roles: serviceAccountRoles(result.username, this.config.serviceAccounts),
        ...(executionId !== undefined ? { executionId } : {}),
      },
    };
  }
}
