import type { V1Affinity, V1PodSecurityContext, V1SecurityContext, V1Volume } from '@kubernetes/client-node';
import { z } from 'zod';
import { checkEnvironment } from './deployer-checks.js';
import {
  type Apply,
  int,
  json,
  type KeySpec,
  list,
  resource,
  simpleName,
  stringMap,
  text,
} from './deployer-key-parsers.js';
import { POD_DEPLOYER_PROPERTY_KEYS } from './deployer-pod-keys.js';
import {
  affinitySchema,
  configMapKeyRefSchema,
  containerSecurityContextSchema,
  imagePullPolicySchema,
  podSecurityContextSchema,
  secretKeyRefSchema,
  tolerationSchema,
  volumeMountSchema,
  volumeSchema,
} from './deployer-schemas.js';
import { qualifiedNameError } from './names.js';
import { parseEnvironmentList, parseList } from './property-text.js';

// One entry per supported deployer property key: what it means, an example, and how its flat text
// is parsed and validated into DeployerProperties. README's table is written from this registry.
// Pod-shape keys (init containers, sidecars, lifecycle, host network, …) are in deployer-pod-keys.ts.

export type { Apply, KeySpec };

const CORE_KEYS: Readonly<Record<string, KeySpec>> = {
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
      // `affinity.nodeAffinity` & co. given as their own keys win over the same part here.
      p.affinity = { ...(v as V1Affinity), ...p.affinity };
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
  entryPointStyle: {
    description:
      'how the Spring Cloud Task contract reaches the container: exec (arguments), shell (environment variables) or boot (SPRING_APPLICATION_JSON)',
    example: 'boot',
    apply: (p, text, key) => {
      const t = text.trim().toLowerCase();
      if (t !== 'exec' && t !== 'shell' && t !== 'boot') {
        return [{ path: key, message: `'${text}' is not an entry point style (exec, shell or boot)` }];
      }
      p.entryPointStyle = t;
      return [];
    },
  },
  containerCommand: {
    description:
      "the container's command, replacing the image's entry point (comma-separated, or a JSON array)",
    example: '["java","-jar","/app.jar"]',
    apply: (p, text, key) => {
      const t = text.trim();
      let items: unknown = parseList(t);
      if (t.startsWith('[')) {
        try {
          items = JSON.parse(t);
        } catch (err) {
          return [{ path: key, message: `not a JSON array: ${(err as Error).message}` }];
        }
      }
      if (
        !Array.isArray(items) ||
        items.length === 0 ||
        !items.every((i) => typeof i === 'string' && i !== '')
      ) {
        return [{ path: key, message: 'must list one or more non-empty strings' }];
      }
      p.containerCommand = items as string[];
      return [];
    },
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

export const DEPLOYER_PROPERTY_KEYS: Readonly<Record<string, KeySpec>> = {
  ...CORE_KEYS,
  ...POD_DEPLOYER_PROPERTY_KEYS,
};
