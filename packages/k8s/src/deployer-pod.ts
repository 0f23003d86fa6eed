import type { V1Container, V1EnvVar, V1PodSpec } from '@kubernetes/client-node';
import type { DeployerProperties } from './deployer-types.js';

// Pure: the pod-shape deployer properties applied to the pod spec the job builder made (its first
// container is the task). Kept apart from job-builder.ts so the task container's own rules stay there.

/** What the account's cluster can do that changes the pod's shape. */
export interface PodFeatures {
  /**
   * Native sidecars (init containers with restartPolicy Always, on by default from 1.29): the kubelet
   * stops them once the task container has ended, so the pod and the Job finish on their own.
   * Without them sidecars are ordinary containers and the reconciler ends the execution when the
   * task container has terminated, then deletes the Job (see decide()).
   */
  nativeSidecars: boolean;
}

export const NO_POD_FEATURES: PodFeatures = { nativeSidecars: false };

export function podFeaturesFor(cluster: { major: number; minor: number } | undefined): PodFeatures {
  if (!cluster) return NO_POD_FEATURES;
  return { nativeSidecars: cluster.major > 1 || (cluster.major === 1 && cluster.minor >= 29) };
}

function taskContainer(task: V1Container, props: DeployerProperties): V1Container {
  const fieldRefs: V1EnvVar[] = Object.entries(props.environmentVariablesFromFieldRefs).map(
    ([name, fieldPath]) => ({ name, valueFrom: { fieldRef: { fieldPath } } }),
  );
  const out: V1Container = { ...task };
  if (fieldRefs.length > 0) out.env = [...(task.env ?? []), ...fieldRefs];
  if (props.containerPorts.length > 0) {
    // As SCDF does: with the host's network a port is also the host port.
    out.ports = props.containerPorts.map((containerPort) =>
      props.hostNetwork ? { containerPort, hostPort: containerPort } : { containerPort },
    );
  }
  if (props.lifecycle) out.lifecycle = props.lifecycle;
  return out;
}

export function withPodExtras(spec: V1PodSpec, props: DeployerProperties, features: PodFeatures): V1PodSpec {
  const [task, ...others] = spec.containers;
  if (!task) throw new Error('the pod spec has no task container');
  const sidecars = props.additionalContainers;
  const nativeSidecars = features.nativeSidecars
    ? sidecars.map((c) => ({ ...c, restartPolicy: 'Always' }))
    : [];
  const initContainers = [...props.initContainers, ...nativeSidecars];
  const out: V1PodSpec = {
    ...spec,
    containers: [taskContainer(task, props), ...others, ...(features.nativeSidecars ? [] : sidecars)],
  };
  if (initContainers.length > 0) out.initContainers = initContainers;
  if (props.hostNetwork !== undefined) out.hostNetwork = props.hostNetwork;
  if (props.shareProcessNamespace !== undefined) out.shareProcessNamespace = props.shareProcessNamespace;
  if (props.restartPolicy) out.restartPolicy = props.restartPolicy;
  return out;
}
