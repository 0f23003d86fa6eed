import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import * as J from './testdata/jobs.js';
import * as P from './testdata/pods.js';

// Sidecars as plain containers (clusters before 1.29): the pod keeps running after the task
// container ends, so decide() ends the execution from the task container and asks for the Job's
// deletion, which stops the sidecars.

const now = new Date('2026-11-22T02:10:00Z');
const options = { pendingTimeoutMs: 300_000 };

function withSidecar(pod: V1Pod, phase: string, restartPolicy = 'Never'): V1Pod {
  const copy = structuredClone(pod);
  copy.spec!.containers.push({ name: 'proxy', image: 'proxy:2' });
  copy.spec!.restartPolicy = restartPolicy;
  copy.status!.phase = phase;
  copy.status!.containerStatuses!.push({
    name: 'proxy',
    image: 'proxy:2',
    imageID: '',
    ready: true,
    restartCount: 0,
    state: { running: { startedAt: new Date('2026-11-22T02:00:03Z') } },
  });
  return copy;
}

describe('decide() with sidecar containers', () => {
  it('task exited 0, sidecar still running → COMPLETE and delete the Job', () => {
    const pod = withSidecar(P.podSucceeded(), 'Running');
    const decision = decide({ job: J.jobActive120(), pods: [pod] }, { status: 'RUNNING' }, now, options);
    expect(decision).toMatchObject({ status: 'COMPLETE', exitCode: 0, deleteJob: true });
    expect(decision?.endTime).toEqual(new Date('2026-11-22T02:03:09Z'));
  });

  it('task exited 3, sidecar still running → FAILED with the exit code and delete the Job', () => {
    const pod = withSidecar(P.podFailed(3), 'Running');
    const decision = decide({ job: J.jobActive120(), pods: [pod] }, { status: 'RUNNING' }, now, options);
    expect(decision).toMatchObject({ status: 'FAILED', exitCode: 3, deleteJob: true });
  });

  it('restartPolicy OnFailure: a failed task is restarted in place, so the execution keeps running', () => {
    const pod = withSidecar(P.podFailed(3), 'Running', 'OnFailure');
    const decision = decide(
      { job: J.jobActive120(), pods: [pod] },
      { status: 'RUNNING', startTime: new Date('2026-11-22T02:00:04Z') },
      now,
      options,
    );
    expect(decision?.status ?? 'RUNNING').toBe('RUNNING');
  });

  it('task still running beside its sidecar → RUNNING', () => {
    const pod = withSidecar(P.podRunning(), 'Running');
    const decision = decide({ job: J.jobActive120(), pods: [pod] }, { status: 'PENDING' }, now, options);
    expect(decision).toMatchObject({ status: 'RUNNING' });
    expect(decision?.deleteJob).toBeUndefined();
  });

  it('a pod without sidecars is left to the Job controller as before', () => {
    const pod = structuredClone(P.podSucceeded());
    pod.status!.phase = 'Running';
    const decision = decide(
      { job: J.jobActive120(), pods: [pod] },
      { status: 'RUNNING', startTime: new Date('2026-11-22T02:00:04Z') },
      now,
      options,
    );
    expect(decision?.deleteJob).toBeUndefined();
  });

  it('a stop still ends STOPPED, not COMPLETE', () => {
    const pod = withSidecar(P.podSigterm(), 'Running');
    const decision = decide(
      { job: J.jobActive120(), pods: [pod] },
      { status: 'STOPPING', stopRequestedAt: new Date('2026-11-22T02:01:00Z') },
      now,
      options,
    );
    expect(decision).toMatchObject({ status: 'STOPPED', exitCode: 143 });
  });
});
