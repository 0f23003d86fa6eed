import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import type { Decision, RecordedExecution } from './execution-status.js';
import * as E from './testdata/events.js';
import * as J from './testdata/jobs.js';
import * as P from './testdata/pods.js';

const at = (iso: string): Date => new Date(iso);
const LATE = at('2026-11-22T02:10:00Z');
const EARLY = at('2026-11-22T02:02:00Z');
const options = { pendingTimeoutMs: 5 * 60_000, launchGraceMs: 60_000 };

interface Row {
  name: string;
  job?: V1Job;
  pods?: V1Pod[];
  events?: CoreV1Event[];
  recorded: RecordedExecution;
  now?: Date;
  expected: Partial<Decision> | null;
}

const rows: Row[] = [
  // Completion
  {
    name: '1.20 Complete → COMPLETE exit 0 with container times',
    job: J.jobComplete120(),
    pods: [P.podSucceeded()],
    recorded: { status: 'RUNNING', startTime: at('2026-11-22T02:00:04Z') },
    expected: {
      status: 'COMPLETE',
      exitCode: 0,
      reason: 'Completed',
      startTime: at('2026-11-22T02:00:04Z'),
      endTime: at('2026-11-22T02:03:09Z'),
    },
  },
  {
    name: '1.31+ SuccessCriteriaMet → COMPLETE before Complete appears',
    job: J.jobSuccessCriteriaMetCurrent(),
    pods: [P.podSucceeded()],
    recorded: { status: 'RUNNING' },
    expected: { status: 'COMPLETE', exitCode: 0 },
  },
  {
    name: 'Complete with the pod already gone (TTL, GC) uses the Job times',
    job: J.jobComplete120(),
    recorded: { status: 'PENDING' },
    expected: {
      status: 'COMPLETE',
      exitCode: 0,
      startTime: at('2026-11-22T02:00:00Z'),
      endTime: at('2026-11-22T02:05:03Z'),
    },
  },
  // Failures
  {
    name: 'BackoffLimitExceeded → FAILED with the container exit code',
    job: J.jobFailed120(),
    pods: [P.podFailed(3)],
    recorded: { status: 'RUNNING' },
    expected: {
      status: 'FAILED',
      exitCode: 3,
      reason: 'BackoffLimitExceeded',
      endTime: at('2026-11-22T02:03:09Z'),
    },
  },
  {
    name: 'OOMKilled → FAILED reason OOMKilled exit 137',
    job: J.jobFailed120(),
    pods: [P.podOomKilled()],
    recorded: { status: 'RUNNING' },
    expected: { status: 'FAILED', exitCode: 137, reason: 'OOMKilled' },
  },
  {
    name: 'DeadlineExceeded → FAILED reason DeadlineExceeded (even though the pod got SIGTERM)',
    job: J.jobDeadlineExceeded120(),
    pods: [P.podSigterm()],
    recorded: { status: 'RUNNING' },
    expected: {
      status: 'FAILED',
      exitCode: 143,
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    },
  },
  {
    name: 'DeadlineExceeded with the pods already deleted',
    job: J.jobDeadlineExceeded120(),
    recorded: { status: 'RUNNING' },
    expected: { status: 'FAILED', reason: 'DeadlineExceeded', endTime: at('2026-11-22T02:03:10Z') },
  },
  {
    name: '1.31+ FailureTarget → FAILED as soon as seen',
    job: J.jobFailureTargetCurrent(),
    pods: [P.podFailed(2)],
    recorded: { status: 'RUNNING' },
    expected: { status: 'FAILED', exitCode: 2, reason: 'BackoffLimitExceeded' },
  },
  {
    name: 'exit 143 without a stop request is FAILED, never success',
    job: J.jobFailed120(),
    pods: [P.podSigterm()],
    recorded: { status: 'RUNNING' },
    expected: {
      status: 'FAILED',
      exitCode: 143,
      message: 'terminated by SIGTERM (exit 143) without a stop request',
    },
  },
  {
    name: 'backoffLimit 0: a failed pod fails the execution before the Job condition arrives',
    job: J.jobActive120(),
    pods: [P.podFailed(1)],
    recorded: { status: 'RUNNING' },
    expected: { status: 'FAILED', exitCode: 1, reason: 'Error' },
  },
  {
    name: 'backoffLimit > 0: a failed attempt with a retry pending stays RUNNING',
    job: J.jobWithBackoff(2),
    pods: [P.podFailed(1), P.podRetryPending()],
    recorded: { status: 'RUNNING', startTime: at('2026-11-22T02:00:04Z') },
    expected: null,
  },
  // Eviction
  {
    name: '1.20 eviction (pod reason Evicted) → FAILED Evicted',
    job: J.jobFailed120(),
    pods: [P.podEvicted120()],
    recorded: { status: 'RUNNING' },
    expected: {
      status: 'FAILED',
      reason: 'Evicted',
      message: expect.stringContaining('low on resource: memory'),
    },
  },
  {
    name: '1.26+ DisruptionTarget → FAILED Evicted',
    job: J.jobFailureTargetCurrent(),
    pods: [P.podDisruptedCurrent()],
    recorded: { status: 'RUNNING' },
    expected: {
      status: 'FAILED',
      reason: 'Evicted',
      exitCode: 137,
      message: 'EvictionByEvictionAPI: Eviction API: evicting',
    },
  },
  // Pending problems
  {
    name: 'image pull error is reported while pending',
    job: J.jobActive120(),
    pods: [P.podImagePullBackOff()],
    recorded: { status: 'PENDING' },
    now: EARLY,
    expected: {
      status: 'PENDING',
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "batchyard/nope:1.0"',
    },
  },
  {
    name: 'image pull error past pendingTimeout → FAILED and delete the Job',
    job: J.jobActive120(),
    pods: [P.podImagePullBackOff()],
    recorded: { status: 'PENDING', reason: 'ImagePullBackOff' },
    now: LATE,
    expected: { status: 'FAILED', reason: 'ImagePullBackOff', deleteJob: true, endTime: LATE },
  },
  {
    name: 'missing secret (CreateContainerConfigError) past pendingTimeout → FAILED and delete',
    job: J.jobActiveCurrent(),
    pods: [P.podMissingSecret()],
    recorded: { status: 'PENDING' },
    now: LATE,
    expected: {
      status: 'FAILED',
      reason: 'CreateContainerConfigError',
      message: expect.stringContaining('secret "batchyard-db" not found'),
      deleteJob: true,
    },
  },
  {
    name: 'Unschedulable stays PENDING with the scheduler message, even after the timeout',
    job: J.jobActive120(),
    pods: [P.podUnschedulable()],
    recorded: { status: 'PENDING' },
    now: LATE,
    expected: {
      status: 'PENDING',
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient memory.',
    },
  },
  {
    name: 'same pending report again → no-op',
    job: J.jobActive120(),
    pods: [P.podUnschedulable()],
    recorded: {
      status: 'PENDING',
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient memory.',
    },
    expected: null,
  },
  {
    name: 'LAUNCHING and the Job exists without pods → PENDING',
    job: J.jobCreated120(),
    recorded: { status: 'LAUNCHING', launchedAt: at('2026-11-22T02:00:00Z') },
    now: EARLY,
    expected: { status: 'PENDING' },
  },
  {
    name: 'no pod long after the Job was created (quota, admission) → PENDING PodNotCreated, not failed',
    job: J.jobActive120(),
    recorded: { status: 'PENDING' },
    expected: {
      status: 'PENDING',
      reason: 'PodNotCreated',
      message: expect.stringContaining("see the Job's events"),
    },
  },
  {
    name: 'admission refused the pod (webhook) → PENDING PodForbidden at once, with the API server message',
    job: J.jobActive120(),
    events: [E.scheduled(), E.webhookDenied()],
    recorded: { status: 'LAUNCHING' },
    now: EARLY,
    expected: {
      status: 'PENDING',
      reason: 'PodForbidden',
      message: expect.stringMatching(
        /^admission webhook "restricted.pods.test" denied the request: violates PodSecurity/,
      ),
    },
  },
  {
    name: 'Pod Security admission still refusing after the pending timeout → FAILED PodForbidden, Job deleted',
    job: J.jobActive120(),
    events: [E.podSecurityForbidden()],
    recorded: { status: 'PENDING', reason: 'PodForbidden' },
    expected: {
      status: 'FAILED',
      reason: 'PodForbidden',
      message: expect.stringMatching(/runAsNonRoot != true.*\(gave up after 600 s\)$/),
      deleteJob: true,
      endTime: LATE,
    },
  },
  {
    name: 'a ResourceQuota refusing the pod → PENDING QuotaExceeded, waited out (capacity may free up)',
    job: J.jobActive120(),
    events: [E.quotaExceeded()],
    recorded: { status: 'PENDING' },
    expected: {
      status: 'PENDING',
      reason: 'QuotaExceeded',
      message: expect.stringContaining('exceeded quota'),
    },
  },
  {
    name: 'the newest FailedCreate wins (quota freed, then admission refused)',
    job: J.jobActive120(),
    events: [E.podSecurityForbidden('2026-11-22T02:03:00Z'), E.quotaExceeded('2026-11-22T02:01:00Z')],
    recorded: { status: 'PENDING' },
    now: EARLY,
    expected: { status: 'PENDING', reason: 'PodForbidden' },
  },
  {
    name: 'container creating → PENDING with its waiting reason',
    job: J.jobActive120(),
    pods: [P.podContainerCreating()],
    recorded: { status: 'LAUNCHING' },
    expected: { status: 'PENDING', reason: 'ContainerCreating' },
  },
  // Running
  {
    name: 'running pod → RUNNING from the container startedAt, clearing the pending reason',
    job: J.jobActive120(),
    pods: [P.podRunning()],
    recorded: { status: 'PENDING', reason: 'ContainerCreating' },
    expected: { status: 'RUNNING', startTime: at('2026-11-22T02:00:04Z') },
  },
  {
    name: 'still running → no-op',
    job: J.jobActiveCurrent(),
    pods: [P.podRunning()],
    recorded: { status: 'RUNNING', startTime: at('2026-11-22T02:00:04Z') },
    expected: null,
  },
  // Missing Job
  {
    name: 'Job missing while RUNNING → LOST',
    recorded: { status: 'RUNNING', startTime: at('2026-11-22T02:00:04Z') },
    expected: { status: 'LOST', reason: 'JobNotFound', endTime: LATE, startTime: at('2026-11-22T02:00:04Z') },
  },
  {
    name: 'Job missing while LAUNCHING within the grace window → no-op',
    recorded: { status: 'LAUNCHING', launchedAt: at('2026-11-22T02:09:30Z') },
    expected: null,
  },
  {
    name: 'Job missing while LAUNCHING after the grace window → LOST',
    recorded: { status: 'LAUNCHING', launchedAt: at('2026-11-22T02:00:00Z') },
    expected: { status: 'LOST' },
  },
  // Stopping
  {
    name: 'STOPPING and the Job is gone → STOPPED',
    recorded: { status: 'STOPPING' },
    expected: { status: 'STOPPED', reason: 'Stopped', endTime: LATE },
  },
  {
    name: "STOPPING and the pod exited 143 (SIGTERM'd) → STOPPED, not FAILED",
    job: J.jobFailed120(),
    pods: [P.podSigterm()],
    recorded: { status: 'STOPPING' },
    expected: { status: 'STOPPED', exitCode: 143, endTime: at('2026-11-22T02:03:09Z') },
  },
  {
    name: 'STOPPING and a SIGTERM-handling worker exited 0 → STOPPED, not COMPLETE',
    job: J.jobComplete120(),
    pods: [P.podSucceeded()],
    recorded: { status: 'STOPPING', stopRequestedAt: at('2026-11-22T02:03:00Z') },
    expected: { status: 'STOPPED', exitCode: 0 },
  },
  {
    name: 'STOPPING but the task had completed before the stop request → COMPLETE',
    job: J.jobComplete120(),
    pods: [P.podSucceeded()],
    recorded: { status: 'STOPPING', stopRequestedAt: at('2026-11-22T02:04:00Z') },
    expected: { status: 'COMPLETE', exitCode: 0 },
  },
  {
    name: 'STOPPING while the pod still runs out its grace period → no-op',
    job: J.jobBeingDeleted(),
    pods: [P.podRunning()],
    recorded: { status: 'STOPPING', startTime: at('2026-11-22T02:00:04Z') },
    expected: null,
  },
  {
    name: 'STOPPING, Job being deleted in the foreground and its pods gone → STOPPED',
    job: J.jobBeingDeleted(),
    recorded: { status: 'STOPPING' },
    expected: { status: 'STOPPED' },
  },
  // Terminal rows
  {
    name: 'terminal status never changes',
    job: J.jobComplete120(),
    pods: [P.podSucceeded()],
    recorded: {
      status: 'FAILED',
      exitCode: 1,
      reason: 'Error',
      startTime: at('2026-11-22T02:00:04Z'),
      endTime: at('2026-11-22T02:03:09Z'),
    },
    expected: null,
  },
  {
    name: 'terminal status with missing detail gets the detail filled in',
    job: J.jobFailed120(),
    pods: [P.podSigterm()],
    recorded: { status: 'STOPPED', reason: 'Stopped' },
    expected: { status: 'STOPPED', exitCode: 143, reason: 'Stopped', endTime: at('2026-11-22T02:03:09Z') },
  },
  {
    name: 'LOST stays LOST when the Job is still missing',
    recorded: { status: 'LOST', reason: 'JobNotFound', endTime: EARLY },
    expected: null,
  },
];

describe('decide', () => {
  it.each(rows)('$name', ({ job, pods = [], events, recorded, now = LATE, expected }) => {
    const decision = decide({ job, pods, events }, recorded, now, options);
    if (expected === null) expect(decision).toBeNull();
    else expect(decision).toMatchObject(expected);
  });

  it('reads times whether they are strings (watch) or Dates (list)', () => {
    const pod = P.podRunning();
    const status = pod.status!.containerStatuses![0]!;
    status.state = { running: { startedAt: new Date('2026-11-22T02:00:04Z') } };
    expect(
      decide({ job: J.jobActive120(), pods: [pod] }, { status: 'PENDING' }, LATE, options),
    ).toMatchObject({
      status: 'RUNNING',
      startTime: at('2026-11-22T02:00:04Z'),
    });
  });

  it('uses the latest pod when there were retries', () => {
    const decision = decide(
      { job: J.jobWithBackoff(2), pods: [P.podRetryPending(), P.podFailed(1)] },
      { status: 'PENDING' },
      LATE,
      options,
    );
    expect(decision).toMatchObject({ status: 'PENDING', reason: 'ContainerCreating' });
  });

  it('never returns a decision equal to the record', () => {
    for (const row of rows) {
      const decision = decide({ job: row.job, pods: row.pods ?? [] }, row.recorded, row.now ?? LATE, options);
      if (decision) {
        const again = decide(
          { job: row.job, pods: row.pods ?? [] },
          { ...row.recorded, ...decision },
          row.now ?? LATE,
          options,
        );
        const stable = again === null || again.deleteJob === true || again.status !== decision.status;
        expect(stable, `${row.name}: ${JSON.stringify(again)}`).toBe(true);
      }
    }
  });
});
