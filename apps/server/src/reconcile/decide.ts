import { canTransition, isTerminal, type TaskStatus } from '@batchyard/core';
import type { Observation } from '../platform/types.js';

export interface RecordedExecution {
  status: TaskStatus;
  startTime: Date | null;
}

export interface ExecutionUpdate {
  status: TaskStatus;
  exitCode?: number | null;
  reason?: string | null;
  errorMessage?: string | null;
  startTime?: Date;
  endTime?: Date;
}

/**
 * What to record when the platform reports `o` for an execution recorded as `recorded`; undefined
 * when nothing changes. Pure: the platform decides liveness, this decides what it means for the row.
 * - A stop in progress turns any non-successful end into STOPPED: a SIGTERM'd worker never reads
 *   as success, nor as an unexplained failure.
 * - Transitions only move forward; terminal rows never change.
 */
export function decideUpdate(
  recorded: RecordedExecution,
  o: Observation,
  now: Date,
): ExecutionUpdate | undefined {
  let status = o.status;
  if (recorded.status === 'STOPPING' && (status === 'FAILED' || status === 'LOST')) status = 'STOPPED';
  if (!canTransition(recorded.status, status)) return undefined;
  const update: ExecutionUpdate = { status };
  if (o.exitCode !== undefined) update.exitCode = o.exitCode;
  if (o.reason !== undefined) update.reason = o.reason;
  if (o.message !== undefined && status !== 'COMPLETE') update.errorMessage = o.message;
  if (!recorded.startTime && (status === 'RUNNING' || isTerminal(status))) {
    const start = o.startTime ?? (status === 'RUNNING' ? now : undefined);
    if (start) update.startTime = start;
  }
  if (isTerminal(status)) update.endTime = o.endTime ?? now;
  if (status === 'LOST' && !update.reason) update.reason = 'PlatformResourceGone';
  return update;
}
