import type { CoreV1Event } from '@kubernetes/client-node';

// Events as the 1.20 Job controller records them when the API server refuses its pod (the same
// shape on current versions; only the admission message differs).

const event = (message: string, lastTimestamp: string): CoreV1Event => ({
  metadata: { name: `nightly-import-42.${lastTimestamp.slice(14, 16)}`, namespace: 'batch' },
  involvedObject: { kind: 'Job', namespace: 'batch', name: 'nightly-import-42', apiVersion: 'batch/v1' },
  reason: 'FailedCreate',
  type: 'Warning',
  source: { component: 'job-controller' },
  count: 1,
  lastTimestamp: new Date(lastTimestamp),
  message,
});

export const webhookDenied = (at = '2026-11-22T02:00:01Z'): CoreV1Event =>
  event(
    'Error creating: admission webhook "restricted.pods.test" denied the request: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "task" must set securityContext.allowPrivilegeEscalation=false)',
    at,
  );

export const podSecurityForbidden = (at = '2026-11-22T02:00:01Z'): CoreV1Event =>
  event(
    'Error creating: pods "nightly-import-42-x7k2p" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true (pod or container "task" must set securityContext.runAsNonRoot=true)',
    at,
  );

export const quotaExceeded = (at = '2026-11-22T02:00:01Z'): CoreV1Event =>
  event(
    'Error creating: pods "nightly-import-42-x7k2p" is forbidden: exceeded quota: batch-quota, requested: limits.memory=1Gi, used: limits.memory=4Gi, limited: limits.memory=4Gi',
    at,
  );

export const scheduled = (): CoreV1Event => ({
  ...event('Created pod: nightly-import-42-x7k2p', '2026-11-22T02:00:02Z'),
  reason: 'SuccessfulCreate',
  type: 'Normal',
});
