import type { Writable } from 'node:stream';
import {
  BatchV1Api,
  CoreV1Api,
  type CoreV1Event,
  type KubeConfig,
  KubernetesObjectApi,
  Log,
  type V1CronJob,
  type V1Job,
  type V1Pod,
  type V1ResourceQuota,
} from '@kubernetes/client-node';
import { apiErrorCode } from './errors.js';
import { executionSelector, MANAGED_SELECTOR, TASK_CONTAINER_NAME } from './labels.js';

// The thin edge: each method is one or two API calls with Batchyard's idempotency rules —
// create-conflict returns the existing object, delete-not-found is done — and nothing else.
// Decisions live in decide(); manifests come from the builders.

const DEFAULT_FIELD_MANAGER = 'batchyard';
/** Kubernetes' default when a pod spec does not say. */
const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
const PAGE_SIZE = 500;

export interface CreateOptions {
  /** Server-side dry run: validated and defaulted by the API server, not stored. */
  dryRun?: boolean;
}

export interface Created<T> {
  object: T;
  /** false when it already existed (409 AlreadyExists): a retried launch is harmless. */
  created: boolean;
}

export interface PodLogOptions {
  container?: string;
  tailLines?: number;
  previous?: boolean;
  sinceSeconds?: number;
  timestamps?: boolean;
}

export class KubeClient {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private readonly objects: KubernetesObjectApi;
  private readonly logs: Log;

  constructor(
    kc: KubeConfig,
    private readonly fieldManager = DEFAULT_FIELD_MANAGER,
  ) {
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    // CronJobs go through the generic API: client-node 1.x has no batch/v1beta1 client, and 1.20 needs it.
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.logs = new Log(kc);
  }

  /** Creates the Job; if it already exists (a retried launch), returns the existing one. */
  async createJob(job: V1Job, options: CreateOptions = {}): Promise<Created<V1Job>> {
    const namespace = requireNamespace(job);
    try {
      const object = await this.batch.createNamespacedJob({
        namespace,
        body: job,
        dryRun: options.dryRun ? 'All' : undefined,
        fieldManager: this.fieldManager,
      });
      return { object, created: true };
    } catch (error) {
      if (apiErrorCode(error) !== 409) throw error;
      const existing = await this.readJob(namespace, job.metadata?.name ?? '');
      if (!existing) throw error; // deleted in between: let the caller retry
      return { object: existing, created: false };
    }
  }

  /** The Job, or undefined when it does not exist. */
  async readJob(namespace: string, name: string): Promise<V1Job | undefined> {
    return notFoundAsUndefined(this.batch.readNamespacedJob({ namespace, name }));
  }

  /**
   * Deletes the Job and (through the garbage collector) its pods. Returns false when it was already
   * gone, which is success too. Background: the Job disappears at once and its pods follow.
   */
  async deleteJob(
    namespace: string,
    name: string,
    options: { propagationPolicy?: 'Background' | 'Foreground'; gracePeriodSeconds?: number } = {},
  ): Promise<boolean> {
    try {
      await this.batch.deleteNamespacedJob({
        namespace,
        name,
        propagationPolicy: options.propagationPolicy ?? 'Background',
        gracePeriodSeconds: options.gracePeriodSeconds,
      });
      return true;
    } catch (error) {
      if (apiErrorCode(error) === 404) return false;
      throw error;
    }
  }

  /**
   * Stops a running execution: deletes the Job in the Foreground, so the Job stays visible (with a
   * deletionTimestamp) while its pods receive SIGTERM and get their terminationGracePeriodSeconds
   * to finish the current chunk; decide() reads the pod's exit and reports STOPPED.
   */
  async stopJob(namespace: string, name: string): Promise<{ found: boolean; gracePeriodSeconds?: number }> {
    const job = await this.readJob(namespace, name);
    if (!job) return { found: false };
    const gracePeriodSeconds =
      job.spec?.template.spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
    const found = await this.deleteJob(namespace, name, {
      propagationPolicy: 'Foreground',
      gracePeriodSeconds,
    });
    return { found, gracePeriodSeconds };
  }

  /** Every Job matching the selector, across pages. */
  listJobs(namespace: string, labelSelector: string): Promise<V1Job[]> {
    return allPages((_continue) =>
      this.batch.listNamespacedJob({ namespace, labelSelector, limit: PAGE_SIZE, _continue }),
    );
  }

  /** Every pod matching the selector, across pages. */
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    return allPages((_continue) =>
      this.core.listNamespacedPod({ namespace, labelSelector, limit: PAGE_SIZE, _continue }),
    );
  }

  /** One pod by name among Batchyard's (list with a field selector: `list` is granted, `get` is not needed). */
  async findManagedPod(namespace: string, name: string): Promise<V1Pod | undefined> {
    const fieldSelector = `metadata.name=${name}`;
    const list = await this.core.listNamespacedPod({
      namespace,
      fieldSelector,
      labelSelector: MANAGED_SELECTOR,
    });
    return list.items[0];
  }

  /** The events about one object (a Job: why its pods cannot be created), by field selector. */
  async listEventsOf(namespace: string, kind: string, name: string): Promise<CoreV1Event[]> {
    const fieldSelector = `involvedObject.kind=${kind},involvedObject.name=${name}`;
    return (await this.core.listNamespacedEvent({ namespace, fieldSelector, limit: PAGE_SIZE })).items;
  }

  /** The namespace's ResourceQuotas with their current usage, for quotaShortfalls(). */
  async listResourceQuotas(namespace: string): Promise<V1ResourceQuota[]> {
    return (await this.core.listNamespacedResourceQuota({ namespace })).items;
  }

  /** The pods of one execution (by Batchyard's label, present on 1.20 and current versions alike). */
  podsOfExecution(namespace: string, executionId: number | bigint | string): Promise<V1Pod[]> {
    return this.listPods(namespace, executionSelector(executionId));
  }

  /** The task container's log (or its tail) as text. */
  async readPodLog(namespace: string, podName: string, options: PodLogOptions = {}): Promise<string> {
    return this.core.readNamespacedPodLog({
      namespace,
      name: podName,
      container: options.container ?? TASK_CONTAINER_NAME,
      tailLines: options.tailLines,
      previous: options.previous,
      sinceSeconds: options.sinceSeconds,
      timestamps: options.timestamps,
    });
  }

  /** Streams the log into `out` until the container ends or the returned controller is aborted. */
  followPodLog(
    namespace: string,
    podName: string,
    out: Writable,
    options: PodLogOptions = {},
  ): Promise<AbortController> {
    return this.logs.log(namespace, podName, options.container ?? TASK_CONTAINER_NAME, out, {
      follow: true,
      tailLines: options.tailLines,
      sinceSeconds: options.sinceSeconds,
      timestamps: options.timestamps,
    });
  }

  /** Creates the CronJob (batch/v1 or batch/v1beta1, as built); 409 returns the existing one. */
  async createCronJob(cronJob: V1CronJob, options: CreateOptions = {}): Promise<Created<V1CronJob>> {
    requireNamespace(cronJob);
    try {
      const object = await this.objects.create(
        cronJob,
        undefined,
        options.dryRun ? 'All' : undefined,
        this.fieldManager,
      );
      return { object, created: true };
    } catch (error) {
      if (apiErrorCode(error) !== 409) throw error;
      const existing = await this.readCronJob(cronJob);
      if (!existing) throw error;
      return { object: existing, created: false };
    }
  }

  /** Creates or replaces the CronJob: schedules are editable (cron, suspend, properties). */
  async applyCronJob(cronJob: V1CronJob): Promise<V1CronJob> {
    const { object, created } = await this.createCronJob(cronJob);
    if (created) return object;
    const replacement: V1CronJob = {
      ...cronJob,
      metadata: { ...cronJob.metadata, resourceVersion: object.metadata?.resourceVersion },
    };
    return this.objects.replace(replacement, undefined, undefined, this.fieldManager);
  }

  /** The CronJob named like `cronJob` (apiVersion, namespace, name), or undefined. */
  readCronJob(cronJob: Pick<V1CronJob, 'apiVersion' | 'metadata'>): Promise<V1CronJob | undefined> {
    return notFoundAsUndefined(
      this.objects.read<V1CronJob>({
        apiVersion: cronJob.apiVersion ?? 'batch/v1',
        kind: 'CronJob',
        metadata: { name: cronJob.metadata?.name ?? '', namespace: requireNamespace(cronJob) },
      }),
    );
  }

  /** Deletes the CronJob; the Jobs it already created keep running. False when already gone. */
  async deleteCronJob(cronJob: Pick<V1CronJob, 'apiVersion' | 'metadata'>): Promise<boolean> {
    // Orphan propagation leaves the CronJob in place (with a deletionTimestamp) until the garbage
    // collector has released its Jobs; one already on its way out is gone as far as we care.
    const current = await this.readCronJob(cronJob);
    if (!current || current.metadata?.deletionTimestamp) return false;
    try {
      await this.objects.delete(
        { apiVersion: cronJob.apiVersion ?? 'batch/v1', kind: 'CronJob', metadata: { ...cronJob.metadata } },
        undefined,
        undefined,
        undefined,
        undefined,
        'Orphan',
      );
      return true;
    } catch (error) {
      if (apiErrorCode(error) === 404) return false;
      throw error;
    }
  }
}

/** Follows `metadata._continue` until the list is complete. */
async function allPages<T>(
  list: (token: string | undefined) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await list(token);
    items.push(...page.items);
    token = page.metadata?._continue || undefined;
  } while (token);
  return items;
}

function requireNamespace(object: { metadata?: { namespace?: string } }): string {
  const namespace = object.metadata?.namespace;
  if (!namespace) throw new Error('the manifest has no metadata.namespace');
  return namespace;
}

async function notFoundAsUndefined<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (apiErrorCode(error) === 404) return undefined;
    throw error;
  }
}
