import type { V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import {
  type DecideOptions,
  type Decision,
  isTerminalStatus,
  type ObservedJob,
  type RecordedExecution,
} from './execution-status.js';
import {
  evictionOf,
  failureCondition,
  isPodFinished,
  latestPod,
  podCreationRefusal,
  runningSince,
  successCondition,
  taskEndedBesideSidecars,
  terminatedState,
  toDate,
  waitingInfo,
} from './observed.js';

// THE reconcile decision: what a task execution's status is, given what Kubernetes shows and what
// the database holds. Pure (the clock is a parameter), so every case is a row in a table test; the
// reconciler applies the result. The platform decides liveness: a worker's own word never makes an
// execution COMPLETE, and a pod that died silently never leaves it RUNNING.

export const DEFAULT_LAUNCH_GRACE_MS = 60_000;
const SIGTERM_EXIT = 143;
const SIGKILL_EXIT = 137;

/** Returns the new state, or null when nothing changes. */
export function decide(
  observed: ObservedJob,
  recorded: RecordedExecution,
  now: Date,
  options: DecideOptions,
): Decision | null {
  const next = isTerminalStatus(recorded.status)
    ? fillTerminalDetail(observed, recorded)
    : evaluate(observed, recorded, now, options);
  if (!next) return null;
  // Every field present (undefined = clear), so `{...recorded, ...decision}` is the new record.
  const full: Decision = {
    status: next.status,
    exitCode: next.exitCode,
    reason: next.reason,
    message: next.message,
    startTime: next.startTime ?? recorded.startTime,
    endTime: next.endTime,
  };
  if (next.deleteJob) full.deleteJob = true;
  return differs(full, recorded) ? full : null;
}

function evaluate(
  observed: ObservedJob,
  recorded: RecordedExecution,
  now: Date,
  options: DecideOptions,
): Decision | null {
  const { job } = observed;
  if (!job) return missingJob(recorded, now, options);
  const pod = latestPod(observed.pods);
  const stopping = recorded.status === 'STOPPING';

  const success = successCondition(job);
  if (success && !(stopping && !finishedBefore(pod, job, recorded.stopRequestedAt))) {
    return complete(job, pod, success, now);
  }
  if (stopping) return stopped(job, pod, now);

  const failure = failureCondition(job);
  if (failure) return failed(pod, failure.reason, failure.message, failure, now);
  // Sidecars as plain containers keep the pod running after the task: its end decides, and the Job
  // is deleted so the sidecars stop (with OnFailure the kubelet restarts a failed task in place).
  const sidecarEnd = taskEndedBesideSidecars(pod);
  if (sidecarEnd?.exitCode === 0) return { ...complete(job, pod, undefined, now), deleteJob: true };
  if (sidecarEnd && pod?.spec?.restartPolicy !== 'OnFailure') {
    return { ...failed(pod, undefined, undefined, undefined, now), deleteJob: true };
  }
  // One attempt only: the Job will fail too, but the pod already says so and why.
  if ((job.spec?.backoffLimit ?? 6) === 0 && pod?.status?.phase === 'Failed') {
    return failed(pod, undefined, undefined, undefined, now);
  }

  const started = runningSince(pod);
  if (started) return { status: 'RUNNING', startTime: started };
  return pending({ ...observed, job }, pod, recorded, now, options);
}

/**
 * Whether the task finished before the stop was requested. A worker that catches SIGTERM and exits
 * 0 completes its Job, but it was stopped, not successful; without a request time assume stopped.
 */
function finishedBefore(pod: V1Pod | undefined, job: V1Job, stopRequestedAt: Date | undefined): boolean {
  const finished = toDate(terminatedState(pod)?.finishedAt) ?? toDate(job.status?.completionTime);
  return finished !== undefined && stopRequestedAt !== undefined && finished < stopRequestedAt;
}

function missingJob(recorded: RecordedExecution, now: Date, options: DecideOptions): Decision | null {
  if (recorded.status === 'STOPPING') {
    return { status: 'STOPPED', reason: 'Stopped', message: 'stopped; the Job is deleted', endTime: now };
  }
  const grace = options.launchGraceMs ?? DEFAULT_LAUNCH_GRACE_MS;
  if (
    recorded.status === 'LAUNCHING' &&
    recorded.launchedAt &&
    now.getTime() - recorded.launchedAt.getTime() < grace
  ) {
    return null;
  }
  return {
    status: 'LOST',
    reason: 'JobNotFound',
    message: `the Job no longer exists (execution was ${recorded.status}); it was deleted outside Batchyard or never created`,
    endTime: now,
  };
}

function complete(
  job: V1Job,
  pod: V1Pod | undefined,
  condition: V1JobCondition | undefined,
  now: Date,
): Decision {
  const term = terminatedState(pod);
  return {
    status: 'COMPLETE',
    exitCode: 0,
    reason: 'Completed',
    startTime: toDate(term?.startedAt) ?? toDate(job.status?.startTime),
    endTime:
      toDate(term?.finishedAt) ??
      toDate(job.status?.completionTime) ??
      toDate(condition?.lastTransitionTime) ??
      now,
  };
}

/** A stop was requested: any end of the pod or Job is STOPPED, never COMPLETE or FAILED. */
function stopped(job: V1Job, pod: V1Pod | undefined, now: Date): Decision | null {
  const term = terminatedState(pod);
  const jobEnded = failureCondition(job) !== undefined || successCondition(job) !== undefined;
  const deletedWithoutPods = job.metadata?.deletionTimestamp !== undefined && !pod;
  if (!term && !jobEnded && !deletedWithoutPods && !isPodFinished(pod)) return null;
  return {
    status: 'STOPPED',
    exitCode: term?.exitCode,
    reason: 'Stopped',
    message: term ? `stopped; task container exited with ${term.exitCode}` : 'stopped',
    startTime: toDate(term?.startedAt),
    endTime: toDate(term?.finishedAt) ?? now,
  };
}

function failed(
  pod: V1Pod | undefined,
  jobReason: string | undefined,
  jobMessage: string | undefined,
  condition: V1JobCondition | undefined,
  now: Date,
): Decision {
  const term = terminatedState(pod);
  const base = {
    status: 'FAILED' as const,
    startTime: toDate(term?.startedAt),
    endTime: toDate(term?.finishedAt) ?? toDate(condition?.lastTransitionTime) ?? now,
  };
  const eviction = evictionOf(pod);
  if (eviction) return { ...base, exitCode: term?.exitCode, reason: 'Evicted', message: eviction.message };
  if (term?.reason === 'OOMKilled') {
    return {
      ...base,
      exitCode: term.exitCode ?? SIGKILL_EXIT,
      reason: 'OOMKilled',
      message: 'the task container was killed for exceeding its memory limit',
    };
  }
  if (jobReason === 'DeadlineExceeded') {
    return { ...base, exitCode: term?.exitCode, reason: 'DeadlineExceeded', message: jobMessage };
  }
  const exit = term?.exitCode;
  const signalled =
    exit === SIGTERM_EXIT ? 'terminated by SIGTERM (exit 143) without a stop request' : undefined;
  return {
    ...base,
    exitCode: exit,
    reason: jobReason ?? term?.reason ?? 'Error',
    message:
      signalled ??
      term?.message?.trim() ??
      jobMessage ??
      (exit !== undefined ? `exited with ${exit}` : undefined),
  };
}

function pending(
  observed: ObservedJob & { job: V1Job },
  pod: V1Pod | undefined,
  recorded: RecordedExecution,
  now: Date,
  options: DecideOptions,
): Decision {
  // Between retries (backoffLimit > 0) the execution is still running; do not report it as pending.
  const { job } = observed;
  const status = recorded.status === 'RUNNING' ? 'RUNNING' : 'PENDING';
  if (!pod && status === 'PENDING') return podNotCreated(observed, now, options);
  const waiting = waitingInfo(pod);
  if (!waiting) return { status };
  // A retry pod being created is routine; only problems are worth reporting on a running execution.
  if (status === 'RUNNING' && !waiting.stuck && waiting.reason !== 'Unschedulable') return { status };
  if (waiting.stuck) {
    const since =
      toDate(pod?.metadata?.creationTimestamp) ??
      toDate(job.status?.startTime) ??
      toDate(job.metadata?.creationTimestamp);
    const waitedMs = since ? now.getTime() - since.getTime() : 0;
    if (waitedMs >= options.pendingTimeoutMs) {
      return {
        status: 'FAILED',
        reason: waiting.reason,
        message: `${waiting.message ?? waiting.reason} (gave up after ${Math.round(waitedMs / 1000)} s)`,
        endTime: now,
        deleteJob: true,
      };
    }
  }
  return { status, reason: waiting.reason, message: waiting.message };
}

/**
 * No pod yet. The Job controller's FailedCreate events say why when it is refused: admission
 * (Pod Security, a webhook) is reported at once as PodForbidden with the API server's message and
 * fails the execution after the pending timeout (it never resolves by itself); a ResourceQuota
 * refusal is reported and waited out, since capacity may free up. Without events, a long wait is
 * reported as PodNotCreated.
 */
function podNotCreated(observed: ObservedJob & { job: V1Job }, now: Date, options: DecideOptions): Decision {
  const created = toDate(observed.job.metadata?.creationTimestamp);
  const waitedMs = created ? now.getTime() - created.getTime() : 0;
  const refusal = podCreationRefusal(observed.events);
  if (refusal) {
    if (refusal.reason !== 'QuotaExceeded' && waitedMs >= options.pendingTimeoutMs) {
      return {
        status: 'FAILED',
        reason: refusal.reason,
        message: `${refusal.message} (gave up after ${Math.round(waitedMs / 1000)} s)`,
        endTime: now,
        deleteJob: true,
      };
    }
    return { status: 'PENDING', reason: refusal.reason, message: refusal.message };
  }
  if (waitedMs < options.pendingTimeoutMs) return { status: 'PENDING' };
  return {
    status: 'PENDING',
    reason: 'PodNotCreated',
    message: `no pod ${Math.round(waitedMs / 1000)} s after the Job was created; see the Job's events (ResourceQuota, LimitRange or admission webhook)`,
  };
}

/** Terminal rows keep their status; a late observation may only fill in what was missing. */
function fillTerminalDetail(observed: ObservedJob, recorded: RecordedExecution): Decision | null {
  const term = terminatedState(latestPod(observed.pods));
  if (!term) return null;
  const detail: Decision = {
    status: recorded.status,
    exitCode: recorded.exitCode ?? term.exitCode,
    reason: recorded.reason,
    message: recorded.message,
    startTime: recorded.startTime ?? toDate(term.startedAt),
    endTime: recorded.endTime ?? toDate(term.finishedAt),
  };
  return detail;
}

function sameTime(a: Date | undefined, b: Date | undefined): boolean {
  return a?.getTime() === b?.getTime();
}

function differs(next: Decision, recorded: RecordedExecution): boolean {
  return (
    next.deleteJob === true ||
    next.status !== recorded.status ||
    next.exitCode !== recorded.exitCode ||
    next.reason !== recorded.reason ||
    next.message !== recorded.message ||
    !sameTime(next.startTime, recorded.startTime) ||
    !sameTime(next.endTime, recorded.endTime)
  );
}
