import type { V1Job } from '@kubernetes/client-node';

// Job objects as the API server sends them in watch events (raw JSON: times are strings), taken
// from the shapes of Kubernetes 1.20 (Complete/Failed only) and 1.31+ (SuccessCriteriaMet and
// FailureTarget interim conditions, terminating/ready/uncountedTerminatedPods counters).

const uid = '5c4e7a1e-2f0b-4a7e-9d1c-7b3f0e8a9c11';

const job120 = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name: 'nightly-import-42',
    namespace: 'batch',
    uid,
    resourceVersion: '48213',
    creationTimestamp: '2026-11-22T02:00:00Z',
    labels: {
      'app.kubernetes.io/managed-by': 'batchyard',
      'batchyard.io/task-name': 'nightly-import',
      'batchyard.io/execution-id': '42',
      'batchyard.io/account': 'default',
      'controller-uid': uid,
      'job-name': 'nightly-import-42',
    },
    annotations: { 'batchyard.io/task-name': 'nightly-import' },
  },
  spec: {
    parallelism: 1,
    completions: 1,
    backoffLimit: 0,
    ttlSecondsAfterFinished: 86400,
    selector: { matchLabels: { 'controller-uid': uid } },
    template: {
      metadata: { labels: { 'controller-uid': uid, 'job-name': 'nightly-import-42' } },
      spec: {
        containers: [
          {
            name: 'task',
            image: 'batchyard/worker-sample:1.0',
            args: ['--chunkSize=500'],
            resources: { limits: { memory: '512Mi' } },
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            imagePullPolicy: 'IfNotPresent',
          },
        ],
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        securityContext: {},
        schedulerName: 'default-scheduler',
      },
    },
  },
  status: {},
};

function job(status: Record<string, unknown>, extra: Record<string, unknown> = {}): V1Job {
  const copy = structuredClone(job120) as Record<string, unknown>;
  return { ...copy, ...extra, status } as unknown as V1Job;
}

function withMetadata(base: V1Job, metadata: Record<string, unknown>): V1Job {
  return { ...base, metadata: { ...base.metadata, ...metadata } } as V1Job;
}

/** Just created: the controller has not yet written any status (1.20). */
export const jobCreated120 = (): V1Job => job({});

export const jobActive120 = (): V1Job => job({ startTime: '2026-11-22T02:00:00Z', active: 1 });

/** Current versions also report ready and terminating counts while active. */
export const jobActiveCurrent = (): V1Job =>
  job({
    startTime: '2026-11-22T02:00:00Z',
    active: 1,
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
  });

export const jobComplete120 = (): V1Job =>
  job({
    conditions: [
      {
        type: 'Complete',
        status: 'True',
        lastProbeTime: '2026-11-22T02:05:03Z',
        lastTransitionTime: '2026-11-22T02:05:03Z',
      },
    ],
    startTime: '2026-11-22T02:00:00Z',
    completionTime: '2026-11-22T02:05:03Z',
    succeeded: 1,
  });

/** 1.31+: SuccessCriteriaMet is added first; Complete follows once the pods have terminated. */
export const jobSuccessCriteriaMetCurrent = (): V1Job =>
  job({
    conditions: [
      {
        type: 'SuccessCriteriaMet',
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
        lastProbeTime: '2026-11-22T02:05:03Z',
        lastTransitionTime: '2026-11-22T02:05:03Z',
      },
    ],
    startTime: '2026-11-22T02:00:00Z',
    succeeded: 1,
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
  });

export const jobFailed120 = (
  reason = 'BackoffLimitExceeded',
  message = 'Job has reached the specified backoff limit',
): V1Job =>
  job({
    conditions: [
      {
        type: 'Failed',
        status: 'True',
        reason,
        message,
        lastProbeTime: '2026-11-22T02:03:10Z',
        lastTransitionTime: '2026-11-22T02:03:10Z',
      },
    ],
    startTime: '2026-11-22T02:00:00Z',
    failed: 1,
  });

export const jobDeadlineExceeded120 = (): V1Job =>
  jobFailed120('DeadlineExceeded', 'Job was active longer than specified deadline');

/** 1.31+: FailureTarget while the pod still terminates; Failed follows later. */
export const jobFailureTargetCurrent = (): V1Job =>
  job({
    conditions: [
      {
        type: 'FailureTarget',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
        lastProbeTime: '2026-11-22T02:03:10Z',
        lastTransitionTime: '2026-11-22T02:03:10Z',
      },
    ],
    startTime: '2026-11-22T02:00:00Z',
    active: 0,
    failed: 1,
    ready: 0,
    terminating: 1,
    uncountedTerminatedPods: {},
  });

/** Deleted with propagationPolicy Foreground: the Job stays until its pods are gone. */
export const jobBeingDeleted = (): V1Job =>
  withMetadata(jobActive120(), {
    deletionTimestamp: '2026-11-22T02:02:00Z',
    deletionGracePeriodSeconds: 0,
    finalizers: ['foregroundDeletion'],
  });

export const jobWithBackoff = (backoffLimit: number): V1Job => {
  const base = jobActive120();
  return { ...base, spec: { ...base.spec!, backoffLimit } };
};
