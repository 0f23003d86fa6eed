import {
  ADD,
  BatchV1Api,
  CONNECT,
  CoreV1Api,
  DELETE,
  ERROR,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ListPromise,
  makeInformer,
  type ObjectCache,
  UPDATE,
  type V1Job,
  type V1Pod,
  type V1ResourceQuota,
} from '@kubernetes/client-node';

// client-node's informer relists on 410 Gone and re-watches when a stream simply ends, but on any
// other error (connection refused, 5xx, 403, a failed list) it emits 'error' and stops for good. This
// wrapper restarts it after a jittered exponential backoff, resyncs periodically (so a missed event
// is at most one period late), and exposes readiness and counters for metrics.

export type ObjectHandler<T> = (object: T) => void;

export interface InformerStats {
  /** (Re)connections after the first: watch streams that ended and restarts after errors. */
  reconnects: number;
  errors: number;
  /** Deliberate re-list + re-watch cycles (maxWatchAgeMs). */
  renewals?: number;
  /** Full lists: the first, after 410 Gone, and after restarts without a resourceVersion. */
  lists: number;
  lastError?: string;
  lastEventAt?: Date;
  /** Receipt time minus the object's last write time (managedFields) for the last event. */
  lastEventLagMs?: number;
}

export interface ResilientInformerOptions<T extends KubernetesObject> {
  onAdd?: ObjectHandler<T>;
  onUpdate?: ObjectHandler<T>;
  onDelete?: ObjectHandler<T>;
  /** Called every resyncMs with every cached object, so the reconciler re-decides each one. */
  onResync?: (objects: readonly T[]) => void;
  /** Told about each error and how long until the restart, for logging. */
  onError?: (error: unknown, restartInMs: number) => void;
  resyncMs?: number;
  /**
   * Re-list and re-watch after this long (±25 % jitter), as client-go's watch timeout does: a
   * half-open connection sends no error, and without this the cache would silently stop changing.
   * Default 10 minutes; 0 disables.
   */
  maxWatchAgeMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
  random?: () => number;
}

export type InformerFactory<T extends KubernetesObject> = (
  listFn: ListPromise<T>,
) => Informer<T> & ObjectCache<T>;

export class ResilientInformer<T extends KubernetesObject> {
  /** Resolves once the first list has been applied to the cache. */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private readonly inner: Informer<T> & ObjectCache<T>;
  private readonly counters: InformerStats = { reconnects: 0, errors: 0, lists: 0 };
  private connects = 0;
  private attempt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    factory: InformerFactory<T>,
    listFn: ListPromise<T>,
    private readonly options: ResilientInformerOptions<T> = {},
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    this.inner = factory(() => this.countedList(listFn));
    this.inner.on(ADD, (obj) => this.event(obj, options.onAdd));
    this.inner.on(UPDATE, (obj) => this.event(obj, options.onUpdate));
    this.inner.on(DELETE, (obj) => this.event(obj, options.onDelete));
    this.inner.on(CONNECT, () => {
      if (this.connects++ > 0) this.counters.reconnects++;
    });
    this.inner.on(ERROR, (error) => this.failed(error));
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const resyncMs = this.options.resyncMs ?? 300_000;
    if (this.options.onResync && resyncMs > 0) {
      this.resyncTimer = setInterval(() => this.options.onResync?.(this.inner.list()), resyncMs);
      this.resyncTimer.unref();
    }
    this.scheduleRenewal();
    await this.inner.start();
  }

  private scheduleRenewal(): void {
    const maxAge = this.options.maxWatchAgeMs ?? 600_000;
    if (maxAge <= 0) return;
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(
      () => {
        if (!this.running) return;
        this.counters.renewals = (this.counters.renewals ?? 0) + 1;
        void this.inner
          .stop()
          .then(() => (this.running ? this.inner.start() : undefined))
          .then(() => this.scheduleRenewal())
          .catch((error: unknown) => this.failed(error));
      },
      Math.round(maxAge * (0.75 + this.random() / 2)),
    );
    this.renewTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.restartTimer);
    clearTimeout(this.renewTimer);
    clearInterval(this.resyncTimer);
    this.restartTimer = undefined;
    await this.inner.stop();
  }

  /** Cached objects (optionally of one namespace). Never mutate them: they are the cache. */
  list(namespace?: string): readonly T[] {
    return this.inner.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.inner.get(name, namespace);
  }

  stats(): InformerStats {
    return { ...this.counters };
  }

  private async countedList(listFn: ListPromise<T>): Promise<KubernetesListObject<T>> {
    const list = await listFn();
    this.counters.lists++;
    this.attempt = 0;
    // The informer applies the list to its cache after this promise settles, synchronously; a
    // macrotask later the cache is complete.
    setImmediate(() => this.markReady());
    return list;
  }

  private event(object: T, handler: ObjectHandler<T> | undefined): void {
    const receivedAt = this.now();
    this.attempt = 0;
    this.counters.lastEventAt = new Date(receivedAt);
    const written = lastWriteTime(object);
    this.counters.lastEventLagMs = written === undefined ? undefined : Math.max(0, receivedAt - written);
    handler?.(object);
  }

  private failed(error: unknown): void {
    this.counters.errors++;
    this.counters.lastError = error instanceof Error ? error.message : String(error);
    if (!this.running) return;
    const delay = this.backoffMs();
    this.options.onError?.(error, delay);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.running) return;
      // stop() first: it aborts any request still open, so a restart never doubles the watch.
      void this.inner
        .stop()
        .then(() => (this.running ? this.inner.start() : undefined))
        .catch((restartError: unknown) => this.failed(restartError));
    }, delay);
    this.restartTimer.unref();
  }

  /** Exponential from initialBackoffMs to maxBackoffMs, with ±50 % jitter against thundering herds. */
  private backoffMs(): number {
    const initial = this.options.initialBackoffMs ?? 500;
    const max = this.options.maxBackoffMs ?? 30_000;
    const base = Math.min(max, initial * 2 ** this.attempt++);
    return Math.round(base * (0.5 + this.random()));
  }
}

/** The latest managedFields time: when the object was last written, to second precision. */
function lastWriteTime(object: KubernetesObject): number | undefined {
  let latest: number | undefined;
  for (const entry of object.metadata?.managedFields ?? []) {
    const time = entry.time instanceof Date ? entry.time.getTime() : Date.parse(String(entry.time ?? ''));
    if (!Number.isNaN(time) && (latest === undefined || time > latest)) latest = time;
  }
  return latest;
}

/**
 * A resilient informer over `path` (e.g. `/apis/batch/v1/namespaces/batch/jobs`) with a label
 * selector; `listFn` must list the same objects with the same selector.
 */
export function makeResilientInformer<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  listFn: ListPromise<T>,
  labelSelector: string | undefined,
  options: ResilientInformerOptions<T> = {},
): ResilientInformer<T> {
  return new ResilientInformer((list) => makeInformer(kc, path, list, labelSelector), listFn, options);
}

/** Jobs of one namespace matching `labelSelector` (default: everything Batchyard manages). */
export function makeJobInformer(
  kc: KubeConfig,
  namespace: string,
  labelSelector: string,
  options: ResilientInformerOptions<V1Job> = {},
): ResilientInformer<V1Job> {
  const batch = kc.makeApiClient(BatchV1Api);
  return makeResilientInformer(
    kc,
    `/apis/batch/v1/namespaces/${namespace}/jobs`,
    () => batch.listNamespacedJob({ namespace, labelSelector }),
    labelSelector,
    options,
  );
}

/** Pods of one namespace matching `labelSelector` (the Job's pod template carries our labels). */
export function makePodInformer(
  kc: KubeConfig,
  namespace: string,
  labelSelector: string,
  options: ResilientInformerOptions<V1Pod> = {},
): ResilientInformer<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  return makeResilientInformer(
    kc,
    `/api/v1/namespaces/${namespace}/pods`,
    () => core.listNamespacedPod({ namespace, labelSelector }),
    labelSelector,
    options,
  );
}

/**
 * Every ResourceQuota of one namespace (they are the cluster admin's, not labelled by us), with
 * their `status.used` as the quota controller keeps it: a launch's quota check reads this cache
 * instead of listing the quotas on every launch.
 */
export function makeResourceQuotaInformer(
  kc: KubeConfig,
  namespace: string,
  options: ResilientInformerOptions<V1ResourceQuota> = {},
): ResilientInformer<V1ResourceQuota> {
  const core = kc.makeApiClient(CoreV1Api);
  return makeResilientInformer(
    kc,
    `/api/v1/namespaces/${namespace}/resourcequotas`,
    () => core.listNamespacedResourceQuota({ namespace }),
    undefined,
    options,
  );
}
