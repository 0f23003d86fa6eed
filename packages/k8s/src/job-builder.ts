import type {
  V1Container,
  V1EnvFromSource,
  V1EnvVar,
  V1Job,
  V1JobSpec,
  V1ObjectMeta,
  V1PodSpec,
  V1ResourceRequirements,
  V1Volume,
} from '@kubernetes/client-node';
import { NO_POD_FEATURES, type PodFeatures, withPodExtras } from './deployer-pod.js';
import type { DeployerProperties } from './deployer-types.js';
import { identityAnnotations, identityLabels, JOB_NAME_POD_LABEL, TASK_CONTAINER_NAME } from './labels.js';
import { dns1123LabelError, executionIdText, jobName } from './names.js';
import { containerSecurityContext, podSecurityContext } from './pod-security/defaults.js';

// Pure: a task launch → the Job manifest. No client calls, no clock, no randomness, so the same
// input always gives the same object (snapshot-tested, and a retried launch is the same Job).

/** A finished Job is kept for a day unless the properties say otherwise, so Jobs do not pile up. */
export const DEFAULT_TTL_SECONDS_AFTER_FINISHED = 86_400;
/** A task execution is one attempt: retrying is Batchyard's decision (restart), not the Job's. */
export const DEFAULT_BACKOFF_LIMIT = 0;

export const ENV_EXECUTION_ID = 'BATCHYARD_TASK_EXECUTION_ID';
export const ENV_TASK_NAME = 'BATCHYARD_TASK_NAME';
export const ENV_JOB_NAME = 'BATCHYARD_JOB_NAME';
export const ENV_POD_NAME = 'BATCHYARD_POD_NAME';
export const ENV_DATABASE_URL = 'BATCHYARD_DATABASE_URL';
export const ENV_API_URL = 'BATCHYARD_URL';
export const ENV_TASK_TOKEN_FILE = 'BATCHYARD_TASK_TOKEN_FILE';
/** The projected volume holding the pod's ServiceAccount token for the control plane's audience. */
export const TASK_TOKEN_VOLUME = 'batchyard-task-token';
export const TASK_TOKEN_DIR = '/var/run/secrets/batchyard.io/task';
/** Short: the kubelet rotates it at 80% of its life; 600 s is the least the TokenRequest API issues. */
export const DEFAULT_TASK_TOKEN_SECONDS = 600;

/**
 * How a task pod reaches the control plane's API (remote partitions): the server's in-cluster URL
 * and, when the server reviews ServiceAccount tokens, a projected token for its audience. The pod
 * proves who it is with that token (TokenReview names the pod); nothing secret is in the manifest.
 */
export interface TaskApiAccess {
  url: string;
  /** The audience the server's TokenReview asks for (auth.kubernetes.audience); none: no token volume. */
  tokenAudience?: string;
  tokenExpirationSeconds?: number;
}

/** Where Spring Boot's datasource comes from: keys of a Secret, reaching the pod as secretKeyRefs. */
export interface SpringDatasourceSecret {
  name: string;
  /** The JDBC URL (jdbc:postgresql://host:5432/db). */
  urlKey: string;
  usernameKey: string;
  passwordKey: string;
}

export interface SecretKeySelector {
  name: string;
  key: string;
}

export interface JobTemplateInput {
  taskName: string;
  appName: string;
  accountName: string;
  namespace: string;
  image: string;
  args: readonly string[];
  /** Plain, non-secret values only: they are stored and shown. Secrets go through secretKeyRefs. */
  env?: Readonly<Record<string, string>>;
  /** The Secret holding the job repository's database URL; it reaches the pod as a secretKeyRef. */
  databaseSecret: SecretKeySelector;
  /** Set for Spring apps: SPRING_DATASOURCE_* from this Secret (never in args or the manifest's values). */
  springDatasource?: SpringDatasourceSecret;
  properties: DeployerProperties;
  /** Set for a schedule's template and for Jobs launched on behalf of a schedule. */
  scheduleName?: string;
  extraLabels?: Readonly<Record<string, string>>;
  extraAnnotations?: Readonly<Record<string, string>>;
  /** What the cluster can do that shapes the pod (native sidecars); none assumed when omitted. */
  podFeatures?: PodFeatures;
  /** The control plane's API for the task (BATCHYARD_URL and its projected token). */
  taskApi?: TaskApiAccess;
}

export interface JobBuildInput extends JobTemplateInput {
  executionId: number | bigint | string;
}

/** The metadata and spec a Job gets; shared with CronJob jobTemplates. */
export interface JobShape {
  metadata: V1ObjectMeta;
  spec: V1JobSpec;
}

/** Drops undefined values and empty arrays/objects so manifests hold only what was asked for. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry === undefined) continue;
    if (Array.isArray(entry) && entry.length === 0) continue;
    if (
      entry !== null &&
      typeof entry === 'object' &&
      !Array.isArray(entry) &&
      Object.keys(entry).length === 0
    ) {
      continue;
    }
    out[key] = entry;
  }
  return out as T;
}

function environment(input: JobTemplateInput, executionId: string | undefined): V1EnvVar[] {
  const fixed: V1EnvVar[] = [];
  if (executionId !== undefined) fixed.push({ name: ENV_EXECUTION_ID, value: executionId });
  fixed.push(
    { name: ENV_TASK_NAME, value: input.taskName },
    // Downward API: a CronJob's Jobs get their names from the controller, so the worker reads its
    // own identity from the pod rather than from a literal baked into the template.
    {
      name: ENV_JOB_NAME,
      valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_NAME_POD_LABEL}']` } },
    },
    { name: ENV_POD_NAME, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    {
      name: ENV_DATABASE_URL,
      valueFrom: { secretKeyRef: { name: input.databaseSecret.name, key: input.databaseSecret.key } },
    },
  );
  if (input.taskApi) {
    fixed.push({ name: ENV_API_URL, value: input.taskApi.url });
    if (input.taskApi.tokenAudience)
      fixed.push({ name: ENV_TASK_TOKEN_FILE, value: `${TASK_TOKEN_DIR}/token` });
  }
  const ds = input.springDatasource;
  if (ds) {
    // Optional: a Secret holding only Batchyard's own URL still starts the pod (a Spring app then
    // fails on its missing datasource, with its own message, rather than the pod never starting).
    const ref = (key: string) => ({ secretKeyRef: { name: ds.name, key, optional: true } });
    fixed.push(
      { name: 'SPRING_DATASOURCE_URL', valueFrom: ref(ds.urlKey) },
      { name: 'SPRING_DATASOURCE_USERNAME', valueFrom: ref(ds.usernameKey) },
      { name: 'SPRING_DATASOURCE_PASSWORD', valueFrom: ref(ds.passwordKey) },
      { name: 'SPRING_DATASOURCE_DRIVER_CLASS_NAME', value: 'org.postgresql.Driver' },
    );
  }
  const taken = new Set(fixed.map((e) => e.name));
  const props = input.properties;
  const plain = { ...input.env, ...props.environmentVariables };
  const rest: V1EnvVar[] = [
    ...Object.entries(plain).map(([name, value]) => ({ name, value })),
    ...props.secretKeyRefs.map((ref) => ({
      name: ref.envVarName,
      valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.dataKey } },
    })),
    ...props.configMapKeyRefs.map((ref) => ({
      name: ref.envVarName,
      valueFrom: { configMapKeyRef: { name: ref.configMapName, key: ref.dataKey } },
    })),
  ];
  for (const entry of rest) {
    if (taken.has(entry.name))
      throw new Error(`env var ${entry.name} is set by Batchyard and cannot be overridden`);
  }
  return [...fixed, ...rest];
}

function resources(props: DeployerProperties): V1ResourceRequirements | undefined {
  const { gpu, ...limits } = props.limits;
  const allLimits: Record<string, string> = { ...limits };
  if (gpu !== undefined) allLimits[props.gpuVendor] = gpu;
  const result = compact({ requests: compact({ ...props.requests }), limits: compact(allLimits) });
  return Object.keys(result).length > 0 ? result : undefined;
}

function container(input: JobTemplateInput, executionId: string | undefined): V1Container {
  const props = input.properties;
  const envFrom: V1EnvFromSource[] = [
    ...props.secretRefs.map((name) => ({ secretRef: { name } })),
    ...props.configMapRefs.map((name) => ({ configMapRef: { name } })),
  ];
  return compact({
    name: TASK_CONTAINER_NAME,
    image: input.image,
    imagePullPolicy: props.imagePullPolicy,
    command: props.containerCommand.length > 0 ? [...props.containerCommand] : undefined,
    args: [...input.args],
    env: environment(input, executionId),
    envFrom,
    resources: resources(props),
    volumeMounts: input.taskApi?.tokenAudience
      ? [
          ...(props.volumeMounts ?? []),
          { name: TASK_TOKEN_VOLUME, mountPath: TASK_TOKEN_DIR, readOnly: true },
        ]
      : props.volumeMounts,
    // Pod Security "restricted" unless the properties relax a field (pod-security/defaults.ts).
    securityContext: containerSecurityContext(props.containerSecurityContext),
  });
}

function taskTokenVolume(api: TaskApiAccess | undefined, volumes: V1Volume[] | undefined) {
  if (!api?.tokenAudience) return volumes;
  if (volumes?.some((v) => v.name === TASK_TOKEN_VOLUME))
    throw new Error(`volume name ${TASK_TOKEN_VOLUME} is Batchyard's own (the task's API token)`);
  const token: V1Volume = {
    name: TASK_TOKEN_VOLUME,
    projected: {
      sources: [
        {
          serviceAccountToken: {
            audience: api.tokenAudience,
            expirationSeconds: api.tokenExpirationSeconds ?? DEFAULT_TASK_TOKEN_SECONDS,
            path: 'token',
          },
        },
      ],
    },
  };
  return [...(volumes ?? []), token];
}

function podSpec(input: JobTemplateInput, executionId: string | undefined): V1PodSpec {
  const props = input.properties;
  const spec: V1PodSpec = compact({
    restartPolicy: 'Never',
    containers: [container(input, executionId)],
    imagePullSecrets: props.imagePullSecrets.map((name) => ({ name })),
    nodeSelector: props.nodeSelector,
    tolerations: props.tolerations,
    affinity: props.affinity,
    priorityClassName: props.priorityClassName,
    serviceAccountName: props.serviceAccountName,
    securityContext: podSecurityContext(props.podSecurityContext),
    volumes: taskTokenVolume(input.taskApi, props.volumes),
    terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
  });
  return withPodExtras(spec, props, input.podFeatures ?? NO_POD_FEATURES);
}

/**
 * The Job's metadata (without name and namespace) and spec. With no execution id this is the
 * template a schedule's CronJob stamps out; with one, the Job of a manual launch.
 */
export function buildJobShape(input: JobTemplateInput, executionId?: number | bigint | string): JobShape {
  const namespaceError = dns1123LabelError(input.namespace);
  if (namespaceError) throw new Error(`namespace '${input.namespace}' ${namespaceError}`);
  if (input.image.trim().length === 0) throw new Error('image must not be empty');
  const id = executionId === undefined ? undefined : executionIdText(executionId);
  const identity = {
    taskName: input.taskName,
    appName: input.appName,
    accountName: input.accountName,
    executionId: id,
    scheduleName: input.scheduleName,
  };
  const props = input.properties;
  const labels = { ...props.labels, ...input.extraLabels, ...identityLabels(identity) };
  const annotations = {
    ...props.jobAnnotations,
    ...input.extraAnnotations,
    ...identityAnnotations(identity),
  };
  const podAnnotations = { ...props.podAnnotations, ...identityAnnotations(identity) };
  return {
    metadata: { labels, annotations },
    spec: compact({
      backoffLimit: props.backoffLimit ?? DEFAULT_BACKOFF_LIMIT,
      activeDeadlineSeconds: props.activeDeadlineSeconds,
      ttlSecondsAfterFinished: props.ttlSecondsAfterFinished ?? DEFAULT_TTL_SECONDS_AFTER_FINISHED,
      template: {
        metadata: { labels: { ...labels }, annotations: podAnnotations },
        spec: podSpec(input, id),
      },
    }),
  };
}

/** The Job of a manual launch, named deterministically by jobName(taskName, executionId). */
export function buildJob(input: JobBuildInput): V1Job {
  const shape = buildJobShape(input, input.executionId);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(input.taskName, input.executionId),
      namespace: input.namespace,
      ...shape.metadata,
    },
    spec: shape.spec,
  };
}
