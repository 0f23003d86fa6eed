import type { V1Pod } from '@kubernetes/client-node';

// Pods of a Job as the API server sends them in watch events (raw JSON), in the states decide()
// must read: unschedulable, pulling an image that does not exist, missing a secret, running,
// succeeded, failed, OOM-killed, SIGTERM'd, evicted (1.20 kubelet form and 1.26+ DisruptionTarget).

const jobUid = '5c4e7a1e-2f0b-4a7e-9d1c-7b3f0e8a9c11';

function basePod(name: string, created: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: 'nightly-import-42-',
      namespace: 'batch',
      uid: `pod-${name}`,
      resourceVersion: '48230',
      creationTimestamp: created,
      labels: {
        'batchyard.io/execution-id': '42',
        'controller-uid': jobUid,
        'job-name': 'nightly-import-42',
      },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: 'nightly-import-42',
          uid: jobUid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [{ name: 'task', image: 'batchyard/worker-sample:1.0', args: ['--chunkSize=500'] }],
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 30,
      nodeName: 'node-1',
    },
  };
}

const scheduledConditions = [
  { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-22T02:00:01Z' },
  {
    type: 'Ready',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: '2026-11-22T02:00:01Z',
    reason: 'ContainersNotReady',
    message: 'containers with unready status: [task]',
  },
  { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-22T02:00:01Z' },
];

function pod(
  status: Record<string, unknown>,
  name = 'nightly-import-42-x7k2p',
  created = '2026-11-22T02:00:01Z',
): V1Pod {
  return { ...basePod(name, created), status } as unknown as V1Pod;
}

function containerStatus(
  state: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name: 'task',
    state,
    lastState: {},
    ready: false,
    restartCount: 0,
    image: 'batchyard/worker-sample:1.0',
    imageID: 'docker-pullable://batchyard/worker-sample@sha256:7d2f0c1e',
    containerID: 'containerd://4f1e2d3c',
    started: false,
    ...extra,
  };
}

export const podUnschedulable = (): V1Pod => {
  const p = pod({
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: '2026-11-22T02:00:01Z',
        reason: 'Unschedulable',
        message: '0/3 nodes are available: 3 Insufficient memory.',
      },
    ],
    qosClass: 'Burstable',
  });
  if (p.spec) delete p.spec.nodeName;
  return p;
};

export const podContainerCreating = (): V1Pod =>
  pod({
    phase: 'Pending',
    conditions: scheduledConditions,
    hostIP: '10.0.0.5',
    startTime: '2026-11-22T02:00:01Z',
    containerStatuses: [
      containerStatus({ waiting: { reason: 'ContainerCreating' } }, { imageID: '', containerID: undefined }),
    ],
    qosClass: 'Burstable',
  });

export const podWaiting = (reason: string, message: string): V1Pod =>
  pod({
    phase: 'Pending',
    conditions: scheduledConditions,
    hostIP: '10.0.0.5',
    startTime: '2026-11-22T02:00:01Z',
    containerStatuses: [containerStatus({ waiting: { reason, message } }, { imageID: '' })],
    qosClass: 'Burstable',
  });

export const podImagePullBackOff = (): V1Pod =>
  podWaiting('ImagePullBackOff', 'Back-off pulling image "batchyard/nope:1.0"');

export const podMissingSecret = (): V1Pod =>
  podWaiting('CreateContainerConfigError', 'secret "batchyard-db" not found');

export const podRunning = (): V1Pod =>
  pod({
    phase: 'Running',
    conditions: scheduledConditions.map((c) => (c.type === 'Ready' ? { type: 'Ready', status: 'True' } : c)),
    hostIP: '10.0.0.5',
    podIP: '10.244.1.17',
    podIPs: [{ ip: '10.244.1.17' }],
    startTime: '2026-11-22T02:00:01Z',
    containerStatuses: [
      containerStatus({ running: { startedAt: '2026-11-22T02:00:04Z' } }, { ready: true, started: true }),
    ],
    qosClass: 'Burstable',
  });

export const podTerminated = (
  exitCode: number,
  reason: string,
  phase: 'Succeeded' | 'Failed',
  extra: Record<string, unknown> = {},
): V1Pod =>
  pod({
    phase,
    conditions: scheduledConditions,
    hostIP: '10.0.0.5',
    podIP: '10.244.1.17',
    startTime: '2026-11-22T02:00:01Z',
    containerStatuses: [
      containerStatus({
        terminated: {
          exitCode,
          reason,
          startedAt: '2026-11-22T02:00:04Z',
          finishedAt: '2026-11-22T02:03:09Z',
          containerID: 'containerd://4f1e2d3c',
        },
      }),
    ],
    qosClass: 'Burstable',
    ...extra,
  });

export const podSucceeded = (): V1Pod => podTerminated(0, 'Completed', 'Succeeded');
export const podFailed = (exitCode = 1): V1Pod => podTerminated(exitCode, 'Error', 'Failed');
export const podOomKilled = (): V1Pod => podTerminated(137, 'OOMKilled', 'Failed');
export const podSigterm = (): V1Pod => podTerminated(143, 'Error', 'Failed');

/** 1.20 kubelet eviction: the pod itself carries reason Evicted; the container may show 137. */
export const podEvicted120 = (): V1Pod =>
  pod({
    phase: 'Failed',
    reason: 'Evicted',
    message:
      'The node was low on resource: memory. Container task was using 1288Mi, which exceeds its request of 512Mi. ',
    startTime: '2026-11-22T02:00:01Z',
  });

/** 1.26+: disruptions are marked with a DisruptionTarget condition. */
export const podDisruptedCurrent = (): V1Pod =>
  podTerminated(137, 'Error', 'Failed', {
    conditions: [
      ...scheduledConditions,
      {
        type: 'DisruptionTarget',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: '2026-11-22T02:03:00Z',
        reason: 'EvictionByEvictionAPI',
        message: 'Eviction API: evicting',
      },
    ],
  });

/** A retry pod created after an earlier attempt (backoffLimit > 0). */
export const podRetryPending = (): V1Pod =>
  pod(
    {
      phase: 'Pending',
      conditions: scheduledConditions,
      containerStatuses: [containerStatus({ waiting: { reason: 'ContainerCreating' } })],
    },
    'nightly-import-42-b9q4z',
    '2026-11-22T02:03:20Z',
  );
