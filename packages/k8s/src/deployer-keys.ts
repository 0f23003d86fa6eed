import type { V1Affinity, V1PodSecurityContext, V1SecurityContext, V1Volume } from '@kubernetes/client-node';
import { z } from 'zod';
import { checkEnvironment, checkQuantity, checkStringMap } from './deployer-checks.js';
import {
  affinitySchema,
  configMapKeyRefSchema,
  containerSecurityContextSchema,
  dnsSubdomain,
  imagePullPolicySchema,
  podSecurityContextSchema,
  secretKeyRefSchema,
  tolerationSchema,
  volumeMountSchema,
  volumeSchema,
  zodIssues,
} from './deployer-schemas.js';
import type { DeployerProperties, PropertyIssue, ResourceName } from './deployer-types.js';
import { dns1123SubdomainError, qualifiedNameError } from './names.js';
import { parseEnvironmentList, parseJsonLike, parseKeyValueList, parseList } from './property-text.js';

// One entry per supported deployer property key: what it means, an example, and how its flat text
// is parsed and validated into DeployerProperties. README's table is written from this registry.

export type Apply = (props: DeployerProperties, text: string, key: string) => PropertyIssue[];

export interface KeySpec {
  description: string;
  example: string;
  apply: Apply;
}

/** Validates a JSON-like value with a schema; on success hands the result to `set`. */
function json<S extends z.ZodType>(schema: S, set: (p: DeployerProperties, v: z.output<S>) => void): Apply {
  return (props, text, key) => {
    const parsed = schema.safeParse(parseJsonLike(text));
    if (!parsed.success) return zodIssues(key, parsed.error);
    set(props, parsed.data);
    return [];
  };
}

function list(set: (p: DeployerProperties, v: string[]) => void): Apply {
  return (props, text, key) => {
    const items = parseList(text);
    const issues = items.flatMap((item) => {
      const error = dns1123SubdomainError(item);
      return error ? [{ path: key, message: `'${item}' ${error}` }] : [];
    });
    if (issues.length === 0) set(props, items);
    return issues;
  };
}

function int(min: number, set: (p: DeployerProperties, v: number) => void): Apply {
  return (props, text, key) => {
    const t = text.trim();
    if (!/^[0-9]+$/.test(t) || Number(t) < min || !Number.isSafeInteger(Number(t))) {
      return [{ path: key, message: `'${text}' must be an integer ≥ ${min}` }];
    }
    set(props, Number(t));
    return [];
  };
}

function resource(kind: 'requests' | 'limits', name: ResourceName | 'gpu'): Apply {
  return (props, text, key) => {
    const issues = checkQuantity(key, text, name === 'gpu');
    if (issues.length === 0) (props[kind] as Record<string, string>)[name] = text.trim();
    return issues;
  };
}

function stringMap(
  kind: 'label' | 'annotation' | 'selector',
  set: (p: DeployerProperties, v: Record<string, string>) => void,
): Apply {
  return (props, text, key) => {
    const map = parseKeyValueList(text);
    // Node labels under batchyard.io/ are the cluster's own business; only our own objects' keys are reserved.
    const issues = checkStringMap(
      key,
      map,
      kind === 'annotation' ? 'annotation' : 'label',
      kind !== 'selector',
    );
    if (issues.length === 0) set(props, map);
    return issues;
  };
}

/** Validates the trimmed text itself (not JSON) with a schema. */
function text<S extends z.ZodType>(schema: S, set: (p: DeployerProperties, v: z.output<S>) => void): Apply {
  return (props, value, key) => {
    const parsed = schema.safeParse(value.trim());
    if (!parsed.success) return zodIssues(key, parsed.error);
    set(props, parsed.data);
    return [];
  };
}

const simpleName = (set: (p: DeployerProperties, v: string) => void): Apply => text(dnsSubdomain, set);

export const DEPLOYER_PROPERTY_KEYS: Readonly<Record<string, KeySpec>> = {
  'requests.cpu': { description: 'CPU request', example: '500m', apply: resource('requests', 'cpu') },
  'requests.memory': {
    description: 'memory request',
    example: '512Mi',
    apply: resource('requests', 'memory'),
  },
  'requests.ephemeral-storage': {
    description: 'ephemeral storage request',
    example: '1Gi',
    apply: resource('requests', 'ephemeral-storage'),
  },
  'limits.cpu': { description: 'CPU limit', example: '2', apply: resource('limits', 'cpu') },
  'limits.memory': { description: 'memory limit', example: '1Gi', apply: resource('limits', 'memory') },
  'limits.ephemeral-storage': {
    description: 'ephemeral storage limit',
    example: '2Gi',
    apply: resource('limits', 'ephemeral-storage'),
  },
  'limits.gpu': {
    description: 'whole GPUs, under the gpuVendor resource',
    example: '1',
    apply: resource('limits', 'gpu'),
  },
  gpuVendor: {
    description: 'extended resource name used for limits.gpu',
    example: 'amd.com/gpu',
    apply: (p, text, key) => {
      const error = qualifiedNameError(text.trim());
      if (error) return [{ path: key, message: `'${text}' is not a resource name: ${error}` }];
      p.gpuVendor = text.trim();
      return [];
    },
  },
  imagePullPolicy: {
    description: 'Always, IfNotPresent or Never',
    example: 'IfNotPresent',
    apply: text(imagePullPolicySchema, (p, v) => {
      p.imagePullPolicy = v;
    }),
  },
  imagePullSecrets: {
    description: 'comma list of Secret names for the registry',
    example: 'regcred,mirror-cred',
    apply: list((p, v) => {
      p.imagePullSecrets = v;
    }),
  },
  nodeSelector: {
    description: 'k:v list of node labels the pod must match',
    example: 'disktype:ssd,zone:a',
    apply: stringMap('selector', (p, v) => {
      p.nodeSelector = v;
    }),
  },
  tolerations: {
    description: 'JSON (or SCDF flow form) list of tolerations',
    example: '[{"key":"batch","operator":"Exists","effect":"NoSchedule"}]',
    apply: json(z.array(tolerationSchema), (p, v) => {
      p.tolerations = v;
    }),
  },
  affinity: {
    description: 'JSON pod affinity (nodeAffinity, podAffinity, podAntiAffinity)',
    example: '{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{…}}}',
    apply: json(affinitySchema, (p, v) => {
      p.affinity = v as V1Affinity;
    }),
  },
  priorityClassName: {
    description: 'PriorityClass of the pod',
    example: 'batch-low',
    apply: simpleName((p, v) => {
      p.priorityClassName = v;
    }),
  },
  serviceAccountName: {
    description: 'ServiceAccount the pod runs as',
    example: 'etl-runner',
    apply: simpleName((p, v) => {
      p.serviceAccountName = v;
    }),
  },
  environmentVariables: {
    description: 'NAME=value list (values may be quoted to hold commas); never put secrets here',
    example: 'LOG_LEVEL=debug,GREETING="a, b"',
    apply: (p, text, key) => {
      const env = parseEnvironmentList(text);
      const issues = checkEnvironment(key, Object.keys(env));
      if (issues.length === 0) p.environmentVariables = env;
      return issues;
    },
  },
  secretRefs: {
    description: 'comma list of Secrets whose keys all become env vars (envFrom)',
    example: 'etl-credentials',
    apply: list((p, v) => {
      p.secretRefs = v;
    }),
  },
  secretKeyRefs: {
    description: 'JSON list of single Secret keys as env vars',
    example: '[{"envVarName":"API_TOKEN","secretName":"etl","dataKey":"token"}]',
    apply: json(z.array(secretKeyRefSchema), (p, v) => {
      p.secretKeyRefs = v;
    }),
  },
  configMapRefs: {
    description: 'comma list of ConfigMaps whose keys all become env vars (envFrom)',
    example: 'etl-config',
    apply: list((p, v) => {
      p.configMapRefs = v;
    }),
  },
  configMapKeyRefs: {
    description: 'JSON list of single ConfigMap keys as env vars',
    example: '[{"envVarName":"REGION","configMapName":"etl","dataKey":"region"}]',
    apply: json(z.array(configMapKeyRefSchema), (p, v) => {
      p.configMapKeyRefs = v;
    }),
  },
  volumes: {
    description: 'JSON list of pod volumes',
    example: '[{"name":"data","persistentVolumeClaim":{"claimName":"etl-data"}}]',
    apply: json(z.array(volumeSchema), (p, v) => {
      p.volumes = v as V1Volume[];
    }),
  },
  volumeMounts: {
    description: 'JSON list of mounts of those volumes into the task container',
    example: '[{"name":"data","mountPath":"/data"}]',
    apply: json(z.array(volumeMountSchema), (p, v) => {
      p.volumeMounts = v;
    }),
  },
  podSecurityContext: {
    description: 'JSON pod security context',
    example: '{"runAsNonRoot":true,"runAsUser":1000,"fsGroup":1000}',
    apply: json(podSecurityContextSchema, (p, v) => {
      p.podSecurityContext = v as V1PodSecurityContext;
    }),
  },
  containerSecurityContext: {
    description: 'JSON container security context',
    example: '{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true}',
    apply: json(containerSecurityContextSchema, (p, v) => {
      p.containerSecurityContext = v as V1SecurityContext;
    }),
  },
  podAnnotations: {
    description: 'k:v list of annotations on the pod',
    example: 'prometheus.io/scrape:true',
    apply: stringMap('annotation', (p, v) => {
      p.podAnnotations = v;
    }),
  },
  jobAnnotations: {
    description: 'k:v list of annotations on the Job',
    example: 'team:data',
    apply: stringMap('annotation', (p, v) => {
      p.jobAnnotations = v;
    }),
  },
  labels: {
    description: 'k:v list of labels on the Job and pod',
    example: 'team:data,cost-center:42',
    apply: stringMap('label', (p, v) => {
      p.labels = v;
    }),
  },
  backoffLimit: {
    description: 'pod retries before the Job fails (default 0: an execution is one attempt)',
    example: '2',
    apply: int(0, (p, v) => {
      p.backoffLimit = v;
    }),
  },
  activeDeadlineSeconds: {
    description: 'seconds before Kubernetes fails the Job (DeadlineExceeded)',
    example: '3600',
    apply: int(1, (p, v) => {
      p.activeDeadlineSeconds = v;
    }),
  },
  ttlSecondsAfterFinished: {
    description: 'seconds a finished Job is kept before Kubernetes deletes it (default 86400)',
    example: '3600',
    apply: int(0, (p, v) => {
      p.ttlSecondsAfterFinished = v;
    }),
  },
  terminationGracePeriodSeconds: {
    description: 'seconds between SIGTERM and SIGKILL when the task is stopped',
    example: '60',
    apply: int(0, (p, v) => {
      p.terminationGracePeriodSeconds = v;
    }),
  },
};
