import type { V1Pod } from '@kubernetes/client-node';
import type { ContainerExit } from './container.js';

/**
 * Pod status as the kubelet reports it, as plain JSON (times as RFC 3339 strings) so that a JSON
 * merge patch of `status` can be sent as is. Lists in a merge patch replace the old list, so
 * every push carries the complete containerStatuses and conditions.
 */

export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: {
    exitCode: number;
    reason: string;
    message?: string;
    startedAt: string;
    finishedAt: string;
    containerID?: string;
  };
}

export interface ContainerStatusJson {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
}

export function newContainerStatus(name: string, image: string): ContainerStatusJson {
  return {
    name,
    image,
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: { reason: 'ContainerCreating' } },
    lastState: {},
  };
}

export function terminatedState(exit: ContainerExit, containerID?: string): ContainerState {
  return {
    terminated: {
      exitCode: exit.exitCode,
      reason: exit.reason,
      ...(exit.message ? { message: exit.message } : {}),
      startedAt: exit.startedAt,
      finishedAt: exit.finishedAt,
      ...(containerID ? { containerID } : {}),
    },
  };
}

export type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** The kubelet's getPhase, reduced to what a batch pod needs. */
export function computePhase(
  init: ContainerStatusJson[],
  containers: ContainerStatusJson[],
  restartPolicy: string,
  final: boolean,
): Phase {
  const failedInit = init.some((s) => s.state.terminated && s.state.terminated.exitCode !== 0);
  if (failedInit && (restartPolicy === 'Never' || final)) return 'Failed';
  if (!init.every((s) => s.state.terminated?.exitCode === 0)) return final ? 'Failed' : 'Pending';
  const allTerminated = containers.every((s) => s.state.terminated);
  if (allTerminated && (restartPolicy !== 'Always' || final)) {
    return containers.some((s) => s.state.terminated!.exitCode !== 0) ? 'Failed' : 'Succeeded';
  }
  if (final) return 'Failed';
  const started = containers.some((s) => s.state.running || s.state.terminated || s.restartCount > 0);
  return started ? 'Running' : 'Pending';
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

/** Conditions the kubelet owns; PodScheduled (the scheduler's) is carried over from the pod. */
export function conditions(
  pod: V1Pod,
  init: ContainerStatusJson[],
  containers: ContainerStatusJson[],
  phase: Phase,
): Condition[] {
  const previous = new Map((pod.status?.conditions ?? []).map((c) => [c.type, c]));
  const make = (type: string, ok: boolean, reason?: string): Condition => {
    const status = ok ? 'True' : 'False';
    const prev = previous.get(type);
    const since =
      prev && prev.status === status && prev.lastTransitionTime
        ? new Date(prev.lastTransitionTime).toISOString()
        : new Date().toISOString();
    return {
      type,
      status,
      ...(reason && !ok ? { reason } : {}),
      lastProbeTime: null,
      lastTransitionTime: since,
    };
  };
  const initialized = init.every((s) => s.state.terminated?.exitCode === 0);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const ready = !terminal && containers.every((s) => s.ready);
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const result: Condition[] = [
    make('Initialized', initialized, 'ContainersNotInitialized'),
    make('Ready', ready, notReadyReason),
    make('ContainersReady', ready, notReadyReason),
  ];
  const scheduled = previous.get('PodScheduled');
  if (scheduled) {
    result.push({
      type: 'PodScheduled',
      status: scheduled.status === 'True' ? 'True' : 'False',
      lastProbeTime: null,
      lastTransitionTime: scheduled.lastTransitionTime
        ? new Date(scheduled.lastTransitionTime).toISOString()
        : new Date().toISOString(),
    });
  }
  return result;
}
