import { PassThrough, Readable } from 'node:stream';
import { ApiError, type ErrorDetail, type ExecutionEvent, type SpringTablePrefixes } from '@batchyard/core';
import {
  apiErrorCode,
  buildJob,
  type ClusterCapabilities,
  DeployerPropertiesError,
  decide,
  discoverCapabilities,
  JOB_NAME_POD_LABEL,
  KubeClient,
  latestPod,
  MANAGED_SELECTOR,
  makeJobInformer,
  makePodInformer,
  makeResourceQuotaInformer,
  PooledKubeConfig,
  parseDeployerProperties,
  podFeaturesFor,
  podsOfJob,
  quotaShortfalls,
  type ResilientInformer,
  readLaunchIdentity,
  type SpringDatasourceSecret,
  sanitizeManifest,
  type TaskApiAccess,
  toObjectEvents,
} from '@batchyard/k8s';
import type { V1Job, V1Pod, V1ResourceQuota } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { expiredJobs } from './job-ttl.js';
import { KubernetesSchedules } from './kubernetes-schedules.js';
import type {
  AdoptionIdentity,
  ChangeRef,
  LaunchResult,
  LaunchSpec,
  LogOptions,
  Observation,
  Platform,
  RecordedState,
  ScheduleSpec,
  ScheduleState,
} from './types.js';

export interface KubernetesPlatformOptions {
  name: string;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  maxConcurrent: number;
  defaults: Record<string, string>;
  databaseSecret: { name: string; key: string };
  /** Where Spring apps' SPRING_DATASOURCE_* come from; without it they get none. */
  springDatasourceSecret?: SpringDatasourceSecret;
  /** The job repository's Spring table prefixes (CronJob templates pass them to Spring apps). */
  tablePrefixes?: Readonly<SpringTablePrefixes>;
  pendingTimeoutSeconds: number;
  /** The server's API for task pods (remote partitions): BATCHYARD_URL and a projected token. */
  taskApi?: TaskApiAccess;
  /**
   * The ResourceQuota informer re-lists this often (±25 %): a watch already open is not cut when the
   * grant to list quotas is revoked, so a revocation shows at the next re-list. Default 60.
   */
  quotaRelistSeconds?: number;
  logger: Logger;
}

/** `docker:acme/etl:1.0` and `docker://acme/etl:1.0` → `acme/etl:1.0`. */
export function imageFromUri(uri: string): string {
  return uri.replace(/^docker:(\/\/)?/, '');
}

export function loadKubeConfig(
  options: Pick<KubernetesPlatformOptions, 'kubeconfig' | 'context'>,
): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault(); // in-cluster service account when running in a pod, else ~/.kube/config
  if (options.context) kc.setCurrentContext(options.context);
  return kc;
}

/**
 * Task executions as batch/v1 Jobs. Label-scoped informers on Jobs and Pods signal changes; the
 * pure decide() of @batchyard/k8s turns (Job, Pods, recorded row) into the execution's state.
 */
export class KubernetesPlatform implements Platform {
  readonly type = 'kubernetes' as const;
  readonly name: string;
  readonly maxConcurrent: number;
  readonly defaults: Readonly<Record<string, string>>;
  readonly namespace: string;
  readonly kc: PooledKubeConfig;
  private readonly client: KubeClient;
  private jobs: ResilientInformer<V1Job> | undefined;
  private pods: ResilientInformer<V1Pod> | undefined;
  private quotas: ResilientInformer<V1ResourceQuota> | undefined;
  private synced = false;
  /** The quota informer's list count when it was last refused (403): no list since = still refused. */
  private quotaRefusedAtList: number | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  /** What the cluster serves (version, APIs); known once discovered, at watch() or the first launch. */
  private capabilities: ClusterCapabilities | undefined;

  constructor(private readonly options: KubernetesPlatformOptions) {
    this.name = options.name;
    this.maxConcurrent = options.maxConcurrent;
    this.defaults = options.defaults;
    this.kc = loadKubeConfig(options);
    this.namespace =
      options.namespace ?? this.kc.getContextObject(this.kc.getCurrentContext())?.namespace ?? 'default';
    this.client = new KubeClient(this.kc);
  }

  validateDeployerProperties(deployer: Record<string, string>, path: string): ErrorDetail[] {
    try {
      // Version-dependent properties are checked against the cluster once it is known.
      parseDeployerProperties([deployer], { cluster: this.capabilities });
      return [];
    } catch (err) {
      if (err instanceof DeployerPropertiesError) {
        return err.issues.map((i) => ({ path: `${path}.${i.path}`, message: i.message }));
      }
      throw err;
    }
  }

  /**
   * From the quota informer's cache once it has synced (no API call per launch), else one list.
   * A refusal to read quotas is an error naming the missing grant: never a silent "no quota".
   */
  async shortfall(spec: LaunchSpec): Promise<string | undefined> {
    let quotas: readonly V1ResourceQuota[];
    if (this.synced && this.quotas) {
      if (this.quotaRefused()) throw this.quotaRefusal();
      quotas = this.quotas.list(this.namespace);
    } else {
      quotas = await this.client.listResourceQuotas(this.namespace).catch((err: unknown) => {
        if (apiErrorCode(err) === 403) throw this.quotaRefusal();
        throw err;
      });
    }
    if (quotas.length === 0) return undefined;
    const missing = quotaShortfalls(quotas, this.job(spec));
    if (missing.length === 0) return undefined;
    return missing
      .map((m) => `ResourceQuota ${m.quota}: ${m.resource} needs ${m.requested}, ${m.used} of ${m.hard} used`)
      .join('; ');
  }

  private quotaRefused(): boolean {
    return this.quotaRefusedAtList !== undefined && this.quotas?.stats().lists === this.quotaRefusedAtList;
  }

  /** Without it, queueing on the namespace's quota would be silently off: say so instead. */
  private quotaRefusal(): ApiError {
    return new ApiError(
      'PLATFORM_UNAVAILABLE',
      `platform account '${this.name}' may not list resourcequotas in namespace ${this.namespace} (403 Forbidden), ` +
        'so it cannot tell whether the quota has room for this launch; grant list and watch on resourcequotas ' +
        '(charts/batchyard does)',
    );
  }

  private job(spec: LaunchSpec): V1Job {
    return buildJob({
      executionId: spec.executionId,
      taskName: spec.taskName,
      appName: spec.appName,
      accountName: this.name,
      namespace: this.namespace,
      image: imageFromUri(spec.uri),
      args: spec.args,
      env: spec.env,
      databaseSecret: this.options.databaseSecret,
      ...(spec.springContract && this.options.springDatasourceSecret
        ? { springDatasource: this.options.springDatasourceSecret }
        : {}),
      properties: parseDeployerProperties([spec.deployer], { cluster: this.capabilities }),
      podFeatures: podFeaturesFor(this.capabilities),
      scheduleName: spec.scheduleName,
      taskApi: this.options.taskApi,
    });
  }

  /** Discovered once; a failed discovery is retried at the next launch (builds then assume 1.20's pod shape). */
  private async discover(): Promise<ClusterCapabilities | undefined> {
    this.capabilities ??= await discoverCapabilities(this.kc).catch((err: unknown) => {
      this.options.logger.warn({ err }, 'cluster discovery failed');
      return undefined;
    });
    return this.capabilities;
  }

  async manifest(spec: LaunchSpec): Promise<unknown> {
    await this.discover();
    return sanitizeManifest(this.job(spec));
  }

  async launch(spec: LaunchSpec): Promise<LaunchResult> {
    await this.discover();
    const job = this.job(spec);
    await this.client.createJob(job); // AlreadyExists = the Job of a retried launch: success
    return { externalId: job.metadata?.name ?? '', manifest: sanitizeManifest(job) };
  }

  async observe(externalId: string, recorded?: RecordedState): Promise<Observation | undefined> {
    const { job, pods } = await this.observed(externalId);
    if (!recorded) return job ? { externalId, status: 'RUNNING' } : undefined;
    if (recorded.status === 'QUEUED') return { externalId, status: 'QUEUED' };
    const decision = decide(
      { job, pods, events: await this.creationEvents(job, pods) },
      {
        status: recorded.status,
        launchedAt: recorded.createdAt,
        stopRequestedAt: recorded.status === 'STOPPING' ? recorded.updatedAt : undefined,
        startTime: recorded.startTime ?? undefined,
      },
      new Date(),
      { pendingTimeoutMs: this.options.pendingTimeoutSeconds * 1000 },
    );
    if (!decision) return { externalId, executionId: recorded.executionId, status: recorded.status };
    return {
      externalId,
      executionId: recorded.executionId,
      status: decision.status,
      exitCode: decision.exitCode,
      reason: decision.reason,
      message: decision.message,
      startTime: decision.startTime,
      endTime: decision.endTime,
      cleanup: decision.deleteJob,
    };
  }

  /**
   * The Job that owns a pod of this account's namespace, when the pod is Batchyard's: its
   * controller is a batch/v1 Job of the same name as its job-name label, and (when given) its uid
   * is the one the token was bound to. From the informer cache, else one list by name.
   */
  async jobOfPod(name: string, uid?: string): Promise<string | undefined> {
    const cached = this.synced ? this.pods?.get(name, this.namespace) : undefined;
    const pod = cached ?? (await this.client.findManagedPod(this.namespace, name));
    if (!pod || (uid !== undefined && pod.metadata?.uid !== uid)) return undefined;
    const owner = pod.metadata?.ownerReferences?.find(
      (o) => o.controller === true && o.kind === 'Job' && o.apiVersion === 'batch/v1',
    );
    if (!owner || pod.metadata?.labels?.[JOB_NAME_POD_LABEL] !== owner.name) return undefined;
    return owner.name;
  }

  /** The API server this account talks to (the cluster a TokenReview vouches for). */
  get server(): string | undefined {
    return this.kc.getCurrentCluster()?.server;
  }

  /** From the informer caches once synced (no API call per event), else straight from the API. */
  private async observed(name: string): Promise<{ job?: V1Job; pods: V1Pod[] }> {
    if (this.synced && this.jobs && this.pods) {
      const job = this.jobs.get(name, this.namespace);
      return { job, pods: job ? podsOfJob(job, this.pods.list(this.namespace)) : [] };
    }
    const job = await this.client.readJob(this.namespace, name);
    return {
      job,
      pods: job ? await this.client.listPods(this.namespace, `${JOB_NAME_POD_LABEL}=${name}`) : [],
    };
  }

  /**
   * A Job that has no pod and has not finished: its events, where the Job controller records why
   * it cannot create the pod (admission, quota). One API call, only in that state.
   */
  private async creationEvents(job: V1Job | undefined, pods: readonly V1Pod[]) {
    const status = job?.status;
    // active > 0: the controller has created a pod our cache has not seen yet; nothing to explain.
    if (
      !job ||
      pods.length > 0 ||
      (status?.active ?? 0) > 0 ||
      (status?.succeeded ?? 0) > 0 ||
      (status?.failed ?? 0) > 0
    ) {
      return undefined;
    }
    try {
      return await this.client.listEventsOf(this.namespace, 'Job', job.metadata?.name ?? '');
    } catch (err) {
      this.options.logger.warn({ err, job: job.metadata?.name }, "cannot read the Job's events");
      return undefined;
    }
  }

  async watch(onChange: (ref: ChangeRef) => void): Promise<void> {
    const signal = (o: V1Job | V1Pod, jobName: string | undefined): void => {
      if (!jobName) return;
      const id = Number(readLaunchIdentity(o).executionId);
      onChange({ externalId: jobName, executionId: Number.isInteger(id) && id > 0 ? id : undefined });
    };
    const onError = (err: unknown, restartInMs: number) =>
      this.options.logger.warn({ err, restartInMs }, 'watch failed; restarting');
    const jobEvent = (j: V1Job) => signal(j, j.metadata?.name);
    const podEvent = (p: V1Pod) => signal(p, p.metadata?.labels?.[JOB_NAME_POD_LABEL]);
    this.jobs = makeJobInformer(this.kc, this.namespace, MANAGED_SELECTOR, {
      onAdd: jobEvent,
      onUpdate: jobEvent,
      onDelete: jobEvent,
      onError,
    });
    this.pods = makePodInformer(this.kc, this.namespace, MANAGED_SELECTOR, {
      onAdd: podEvent,
      onUpdate: podEvent,
      onDelete: podEvent,
      onError,
    });
    // A 403 on quotas before the first sync stops start-up with the grant it needs.
    let refuseStart: (err: Error) => void = () => undefined;
    const refusedAtStart = new Promise<never>((_, reject) => {
      refuseStart = reject;
    });
    this.quotas = makeResourceQuotaInformer(this.kc, this.namespace, {
      maxWatchAgeMs: (this.options.quotaRelistSeconds ?? 60) * 1000,
      onError: (err, restartInMs) => {
        if (apiErrorCode(err) === 403) {
          this.quotaRefusedAtList = this.quotas?.stats().lists ?? 0;
          if (!this.synced) refuseStart(this.quotaRefusal());
        }
        onError(err, restartInMs);
      },
    });
    const quotasStarted = this.quotas.start().catch((err: unknown) => {
      throw apiErrorCode(err) === 403 ? this.quotaRefusal() : err;
    });
    await Promise.all([this.jobs.start(), this.pods.start(), quotasStarted]);
    await Promise.race([Promise.all([this.jobs.ready, this.pods.ready, this.quotas.ready]), refusedAtStart]);
    this.synced = true;
    const caps = await this.discover();
    if (caps && !caps.jobTtlAfterFinished) this.sweepExpiredJobs();
  }

  /** Clusters that ignore ttlSecondsAfterFinished (1.20) get their finished Jobs deleted by us. */
  private sweepExpiredJobs(): void {
    this.sweeper = setInterval(() => {
      const jobs = this.jobs?.list(this.namespace) ?? [];
      for (const name of expiredJobs(jobs, new Date())) {
        this.cleanup(name).catch((err: unknown) =>
          this.options.logger.warn({ err, job: name }, 'TTL cleanup failed'),
        );
      }
    }, 60_000);
    this.sweeper.unref();
  }

  async stop(externalId: string): Promise<void> {
    await this.client.stopJob(this.namespace, externalId);
  }

  async cleanup(externalId: string): Promise<void> {
    await this.client.deleteJob(this.namespace, externalId, { propagationPolicy: 'Background' });
  }

  async logs(externalId: string, options: LogOptions): Promise<Readable> {
    const pod = latestPod(await this.client.listPods(this.namespace, `${JOB_NAME_POD_LABEL}=${externalId}`));
    const podName = pod?.metadata?.name;
    if (!podName) throw new Error(`no pod of ${externalId} exists (any more)`);
    if (!options.follow) {
      return Readable.from([
        await this.client.readPodLog(this.namespace, podName, { tailLines: options.tail }),
      ]);
    }
    const out = new PassThrough();
    const abort = await this.client.followPodLog(this.namespace, podName, out, { tailLines: options.tail });
    out.on('close', () => abort.abort());
    return out;
  }

  /** The Job's events and its pods' (scheduling, admission, image pulls, kills), oldest first. */
  async events(externalId: string): Promise<ExecutionEvent[]> {
    const { pods } = await this.observed(externalId);
    const lists = await Promise.all([
      this.client.listEventsOf(this.namespace, 'Job', externalId),
      ...pods.map((p) => this.client.listEventsOf(this.namespace, 'Pod', p.metadata?.name ?? '')),
    ]);
    return toObjectEvents(lists.flat());
  }

  async identify(externalId: string): Promise<AdoptionIdentity | undefined> {
    const { job } = await this.observed(externalId);
    if (!job) return undefined;
    const id = readLaunchIdentity(job);
    // Another account's Job in a shared namespace is that account's to adopt.
    if (!id.managed || (id.accountName !== undefined && id.accountName !== this.name)) return undefined;
    const container = job.spec?.template.spec?.containers[0];
    return {
      taskName: id.taskName ?? externalId,
      scheduleName: id.scheduleName,
      arguments: container?.args ?? [],
    };
  }

  informerStats() {
    return { jobs: this.jobs?.stats(), pods: this.pods?.stats(), resourceQuotas: this.quotas?.stats() };
  }

  /** Schedules are CronJobs (kubernetes-schedules.ts); made on first use, after the constructor. */
  private cronJobs: KubernetesSchedules | undefined;
  private get schedules(): KubernetesSchedules {
    this.cronJobs ??= new KubernetesSchedules({
      kc: this.kc,
      namespace: this.namespace,
      accountName: this.name,
      databaseSecret: this.options.databaseSecret,
      taskApi: this.options.taskApi,
      springDatasourceSecret: this.options.springDatasourceSecret,
      tablePrefixes: this.options.tablePrefixes,
      logger: this.options.logger,
      image: imageFromUri,
    });
    return this.cronJobs;
  }
  schedule = (spec: ScheduleSpec): Promise<ScheduleState> => this.schedules.schedule(spec);
  unschedule = (name: string): Promise<void> => this.schedules.unschedule(name);
  scheduleState = (name: string): Promise<ScheduleState | undefined> => this.schedules.state(name);

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.all([this.jobs?.stop(), this.pods?.stop(), this.quotas?.stop()]);
    this.kc.closeConnections();
  }
}
