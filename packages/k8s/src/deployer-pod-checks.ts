import type { V1Container, V1Lifecycle } from '@kubernetes/client-node';
import { RESERVED_ENV_PREFIX } from './deployer-checks.js';
import type { DeployerProperties, PropertyIssue } from './deployer-types.js';
import { TASK_CONTAINER_NAME } from './labels.js';

// Checks of the pod-shape keys that need the merged result: SCDF's init container assembled from
// its parts, container names unique in the pod, extra containers' mounts naming declared volumes,
// downward-API env names not set twice. Also: which Kubernetes version a property needs.

/** Builds SCDF's `initContainer` (object or parts) into the first init container. Mutates `props`. */
export function assembleInitContainer(
  props: DeployerProperties,
  keyOf: (canonical: string) => string,
): PropertyIssue[] {
  const parts = props.initContainerParts;
  if (!parts) return [];
  const issues: PropertyIssue[] = [];
  if (!parts.containerName) {
    issues.push({
      path: `${keyOf('initContainer')}.containerName`,
      message: 'the init container needs a name',
    });
  }
  if (!parts.imageName) {
    issues.push({
      path: `${keyOf('initContainer')}.imageName`,
      message: 'the init container needs an image',
    });
  }
  if (issues.length > 0 || !parts.containerName || !parts.imageName) return issues;
  const container: V1Container = { name: parts.containerName, image: parts.imageName };
  if (parts.commands && parts.commands.length > 0) container.command = parts.commands;
  const env = Object.entries(parts.environmentVariables ?? {});
  if (env.length > 0) container.env = env.map(([name, value]) => ({ name, value }));
  if (parts.volumeMounts && parts.volumeMounts.length > 0) container.volumeMounts = parts.volumeMounts;
  props.initContainers = [container, ...props.initContainers];
  props.initContainerParts = undefined;
  return [];
}

export function checkPodShape(
  props: DeployerProperties,
  keyOf: (canonical: string) => string,
  envNames: ReadonlySet<string>,
): PropertyIssue[] {
  const issues: PropertyIssue[] = [];
  const names = new Map<string, string>([[TASK_CONTAINER_NAME, 'the task container']]);
  const volumes = new Set(props.volumes.map((v) => v.name));
  const extra = [
    ...props.initContainers.map((c, i) => ({ c, path: `${keyOf('initContainers')}[${i}]` })),
    ...props.additionalContainers.map((c, i) => ({ c, path: `${keyOf('additionalContainers')}[${i}]` })),
  ];
  for (const { c, path } of extra) {
    const taken = names.get(c.name);
    if (taken)
      issues.push({ path: `${path}.name`, message: `container name '${c.name}' is taken by ${taken}` });
    names.set(c.name, path);
    (c.volumeMounts ?? []).forEach((mount, index) => {
      if (!volumes.has(mount.name)) {
        issues.push({
          path: `${path}.volumeMounts[${index}].name`,
          message: `mount refers to volume '${mount.name}', which is not in volumes`,
        });
      }
    });
    (c.env ?? []).forEach((env, index) => {
      if (env.name.startsWith(RESERVED_ENV_PREFIX)) {
        issues.push({
          path: `${path}.env[${index}].name`,
          message: `env var names starting with ${RESERVED_ENV_PREFIX} are reserved`,
        });
      }
    });
  }
  for (const name of Object.keys(props.environmentVariablesFromFieldRefs)) {
    if (envNames.has(name)) {
      issues.push({
        path: `${keyOf('environmentVariablesFromFieldRefs')}.${name}`,
        message: `env var '${name}' is set more than once`,
      });
    }
  }
  return issues;
}

export interface ClusterVersion {
  major: number;
  minor: number;
  gitVersion: string;
}

function hasSleepHook(lifecycle: V1Lifecycle | undefined): boolean {
  return lifecycle?.postStart?.sleep !== undefined || lifecycle?.preStop?.sleep !== undefined;
}

/** Properties a cluster older than their Kubernetes version would refuse or silently drop. */
export function checkClusterVersion(
  props: DeployerProperties,
  keyOf: (canonical: string) => string,
  cluster: ClusterVersion,
): PropertyIssue[] {
  const atLeast = (minor: number): boolean =>
    cluster.major > 1 || (cluster.major === 1 && cluster.minor >= minor);
  const issues: PropertyIssue[] = [];
  const need = (path: string, what: string, minor: number): void => {
    if (!atLeast(minor)) {
      issues.push({
        path,
        message: `${what} needs Kubernetes 1.${minor} or newer; this account's cluster is ${cluster.gitVersion}`,
      });
    }
  };
  props.initContainers.forEach((c, i) => {
    if (c.restartPolicy === 'Always') {
      need(
        `${keyOf('initContainers')}[${i}].restartPolicy`,
        'a native sidecar (init container with restartPolicy Always)',
        29,
      );
    }
    if (hasSleepHook(c.lifecycle))
      need(`${keyOf('initContainers')}[${i}].lifecycle`, 'a sleep lifecycle hook', 30);
  });
  props.additionalContainers.forEach((c, i) => {
    if (hasSleepHook(c.lifecycle))
      need(`${keyOf('additionalContainers')}[${i}].lifecycle`, 'a sleep lifecycle hook', 30);
  });
  if (hasSleepHook(props.lifecycle)) need(keyOf('lifecycle'), 'a sleep lifecycle hook', 30);
  return issues;
}
