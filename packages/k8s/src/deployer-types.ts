import type {
  V1Affinity,
  V1Container,
  V1Lifecycle,
  V1PodSecurityContext,
  V1SecurityContext,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';

// The parsed form of a launch's Kubernetes deployer properties, as the builders consume it.

export const DEFAULT_GPU_VENDOR = 'nvidia.com/gpu';

export type ResourceName = 'cpu' | 'memory' | 'ephemeral-storage';
export type ResourceList = Partial<Record<ResourceName, string>>;

export interface SecretKeyRef {
  envVarName: string;
  secretName: string;
  dataKey: string;
}

export interface ConfigMapKeyRef {
  envVarName: string;
  configMapName: string;
  dataKey: string;
}

export interface DeployerProperties {
  requests: ResourceList;
  limits: ResourceList & { gpu?: string };
  gpuVendor: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  imagePullSecrets: string[];
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
  affinity?: V1Affinity;
  priorityClassName?: string;
  serviceAccountName?: string;
  /** SCDF's entryPointStyle: how the Spring contract's properties reach the container (the launcher applies it). */
  entryPointStyle?: 'exec' | 'shell' | 'boot';
  /** SCDF's containerCommand: the container's command (its entry point), replacing the image's. */
  containerCommand: string[];
  environmentVariables: Record<string, string>;
  secretRefs: string[];
  secretKeyRefs: SecretKeyRef[];
  configMapRefs: string[];
  configMapKeyRefs: ConfigMapKeyRef[];
  volumes: V1Volume[];
  volumeMounts: V1VolumeMount[];
  podSecurityContext?: V1PodSecurityContext;
  containerSecurityContext?: V1SecurityContext;
  podAnnotations: Record<string, string>;
  jobAnnotations: Record<string, string>;
  labels: Record<string, string>;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  terminationGracePeriodSeconds?: number;
  /** Run before the task container, in order: SCDF's `initContainer` first, then `initContainers`. */
  initContainers: V1Container[];
  /** SCDF's `initContainer.<part>` keys, assembled into one init container by the cross-key checks. */
  initContainerParts?: InitContainerParts;
  /** Sidecars: native (restartPolicy Always init containers) from 1.29, else stopped by the reconciler. */
  additionalContainers: V1Container[];
  lifecycle?: V1Lifecycle;
  hostNetwork?: boolean;
  shareProcessNamespace?: boolean;
  containerPorts: number[];
  /** Env var name → downward API field path (`metadata.name`, `spec.nodeName`, …). */
  environmentVariablesFromFieldRefs: Record<string, string>;
  restartPolicy?: 'Never' | 'OnFailure';
}

/** SCDF's single init container, given as `initContainer` (an object) or as its parts. */
export interface InitContainerParts {
  containerName?: string;
  imageName?: string;
  commands?: string[];
  environmentVariables?: Record<string, string>;
  volumeMounts?: V1VolumeMount[];
}

export interface PropertyIssue {
  /** The property key as the caller gave it, plus a JSON path inside its value when there is one. */
  path: string;
  message: string;
}

/** Thrown with every problem found; the server turns it into a 400 with `details`. */
export class DeployerPropertiesError extends Error {
  constructor(readonly issues: PropertyIssue[]) {
    super(`invalid deployer properties: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'DeployerPropertiesError';
  }
}

export function emptyDeployerProperties(): DeployerProperties {
  return {
    requests: {},
    limits: {},
    gpuVendor: DEFAULT_GPU_VENDOR,
    imagePullSecrets: [],
    nodeSelector: {},
    tolerations: [],
    containerCommand: [],
    environmentVariables: {},
    secretRefs: [],
    secretKeyRefs: [],
    configMapRefs: [],
    configMapKeyRefs: [],
    volumes: [],
    volumeMounts: [],
    podAnnotations: {},
    jobAnnotations: {},
    labels: {},
    initContainers: [],
    additionalContainers: [],
    containerPorts: [],
    environmentVariablesFromFieldRefs: {},
  };
}
