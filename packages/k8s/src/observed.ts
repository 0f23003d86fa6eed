import type {
  CoreV1Event,
  V1ContainerStateTerminated,
  V1ContainerStatus,
  V1Job,
  V1JobCondition,
  V1Pod,
  V1PodCondition,
} from '@kubernetes/client-node';
import { JOB_NAME_POD_LABEL, TASK_CONTAINER_NAME } from './labels.js';

// Reading Job and Pod status as the API server sends it, for decide(). Objects from a list call are
// deserialised by client-node (times are Date), objects from a watch event are raw JSON (times are
// strings); every time is read through toDate() so both work.

/** A Date from a Date, an RFC 3339 string or nothing. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string' && value.length > 0) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

function isTrue(condition: { status?: string } | undefined): boolean {
  return condition?.status === 'True';
}

/** The Job condition of `type` when it is True. */
export function jobCondition(job: V1Job, type: string): V1JobCondition | undefined {
  const condition = job.status?.conditions?.find((c) => c.type === type);
  return isTrue(condition) ? condition : undefined;
}

/** The pod condition of `type` (whatever its status). */
export function podCondition(pod: V1Pod, type: string): V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** Successful Job: Complete, or SuccessCriteriaMet (1.31+, set before Complete while pods wind down). */
export function successCondition(job: V1Job): V1JobCondition | undefined {
  return jobCondition(job, 'Complete') ?? jobCondition(job, 'SuccessCriteriaMet');
}

/**
 * Failed Job: Failed, or FailureTarget (1.31+: the controller has decided the Job fails and waits
 * for its pods to terminate before adding Failed; waiting would only delay the report).
 */
export function failureCondition(job: V1Job): V1JobCondition | undefined {
  return jobCondition(job, 'Failed') ?? jobCondition(job, 'FailureTarget');
}

/** The most recently created pod; with retries (backoffLimit > 0) the current attempt. */
export function latestPod(pods: readonly V1Pod[]): V1Pod | undefined {
  let latest: V1Pod | undefined;
  let latestTime = Number.NEGATIVE_INFINITY;
  for (const pod of pods) {
    const time = toDate(pod.metadata?.creationTimestamp)?.getTime() ?? 0;
    if (
      time > latestTime ||
      (time === latestTime && (pod.metadata?.name ?? '') > (latest?.metadata?.name ?? ''))
    ) {
      latest = pod;
      latestTime = time;
    }
  }
  return latest;
}

/** The task container's status (by name, else the first container's). */
export function taskContainerStatus(pod: V1Pod | undefined): V1ContainerStatus | undefined {
  const statuses = pod?.status?.containerStatuses;
  return statuses?.find((s) => s.name === TASK_CONTAINER_NAME) ?? statuses?.[0];
}

/** How the task container ended, if it did. */
export function terminatedState(pod: V1Pod | undefined): V1ContainerStateTerminated | undefined {
  const status = taskContainerStatus(pod);
  return status?.state?.terminated ?? status?.lastState?.terminated;
}

/**
 * The task container has ended while the pod still runs other (sidecar) containers: without native
 * sidecars (before 1.29) such a pod never finishes on its own, so the task's end is the execution's.
 */
export function taskEndedBesideSidecars(pod: V1Pod | undefined): V1ContainerStateTerminated | undefined {
  if (!pod || (pod.spec?.containers.length ?? 0) < 2) return undefined;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  return taskContainerStatus(pod)?.state?.terminated;
}

export function isPodFinished(pod: V1Pod | undefined): boolean {
  const phase = pod?.status?.phase;
  return (
    phase === 'Succeeded' || phase === 'Failed' || taskContainerStatus(pod)?.state?.terminated !== undefined
  );
}

/** Evicted by the kubelet (1.20: phase Failed, reason Evicted) or disrupted (1.26+: DisruptionTarget). */
export function evictionOf(pod: V1Pod | undefined): { message: string } | undefined {
  if (!pod) return undefined;
  if (pod.status?.reason === 'Evicted') return { message: pod.status.message ?? 'pod was evicted' };
  const disruption = podCondition(pod, 'DisruptionTarget');
  if (isTrue(disruption)) {
    return {
      message: [disruption?.reason, disruption?.message].filter(Boolean).join(': ') || 'pod was disrupted',
    };
  }
  return undefined;
}

/** Waiting reasons that never resolve by themselves: Kubernetes retries forever and never fails the Job. */
export const STUCK_WAITING_REASONS: ReadonlySet<string> = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

export interface WaitingInfo {
  reason: string;
  message?: string;
  stuck: boolean;
}

/** Why the task container is not running yet: a waiting reason, or the scheduler's verdict. */
export function waitingInfo(pod: V1Pod | undefined): WaitingInfo | undefined {
  if (!pod) return undefined;
  const waiting = taskContainerStatus(pod)?.state?.waiting;
  if (waiting?.reason) {
    return {
      reason: waiting.reason,
      message: waiting.message,
      stuck: STUCK_WAITING_REASONS.has(waiting.reason),
    };
  }
  const scheduled = podCondition(pod, 'PodScheduled');
  if (scheduled?.status === 'False') {
    return { reason: scheduled.reason ?? 'Unschedulable', message: scheduled.message, stuck: false };
  }
  return undefined;
}

/** When the task container started running (its own startedAt, else the pod's start). */
export function runningSince(pod: V1Pod | undefined): Date | undefined {
  const running = taskContainerStatus(pod)?.state?.running;
  if (!running) return undefined;
  return toDate(running.startedAt) ?? toDate(pod?.status?.startTime);
}

/**
 * The pods of `job` among `pods` (e.g. a pod informer's whole cache): owned by the Job's uid, or
 * — for objects without owner references — carrying its `job-name` label in its namespace.
 */
export function podsOfJob(job: V1Job, pods: readonly V1Pod[]): V1Pod[] {
  const uid = job.metadata?.uid;
  const name = job.metadata?.name;
  const namespace = job.metadata?.namespace;
  return pods.filter((pod) => {
    if (pod.metadata?.namespace !== namespace) return false;
    const owners = pod.metadata?.ownerReferences ?? [];
    if (owners.length > 0)
      return owners.some(
        (owner) => owner.kind === 'Job' && (owner.uid === uid || !uid) && owner.name === name,
      );
    return pod.metadata?.labels?.[JOB_NAME_POD_LABEL] === name;
  });
}

/** Why the Job controller cannot create the Job's pod, read from the Job's FailedCreate events. */
export interface PodCreationRefusal {
  /** PodForbidden: admission refused the pod (Pod Security, a webhook); QuotaExceeded: a ResourceQuota. */
  reason: 'PodForbidden' | 'QuotaExceeded' | 'FailedCreate';
  /** The API server's words, without the controller's "Error creating: " prefix. */
  message: string;
}

/** The newest FailedCreate event of a Job, classified (the Job controller records no condition for it). */
export function podCreationRefusal(
  events: readonly CoreV1Event[] | undefined,
): PodCreationRefusal | undefined {
  let newest: CoreV1Event | undefined;
  let newestTime = Number.NEGATIVE_INFINITY;
  for (const event of events ?? []) {
    if (event.reason !== 'FailedCreate') continue;
    const time =
      toDate(event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp)?.getTime() ?? 0;
    if (time >= newestTime) {
      newest = event;
      newestTime = time;
    }
  }
  if (!newest) return undefined;
  const message = (newest.message ?? 'the pod could not be created').replace(/^Error creating: /, '');
  if (/exceeded quota/i.test(message)) return { reason: 'QuotaExceeded', message };
  if (/is forbidden|denied the request|violates PodSecurity/i.test(message))
    return { reason: 'PodForbidden', message };
  return { reason: 'FailedCreate', message };
}
