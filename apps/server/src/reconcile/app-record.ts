import { isTerminal } from '@batchyard/core';
import type { ExecutionUpdate } from './decide.js';

/** What a Spring Cloud Task app (or the TypeScript worker) wrote in its TASK_EXECUTION row. */
export interface AppRecord {
  exitMessage: string | null;
  errorMessage: string | null;
}

/**
 * Folds the app's own record into a terminal update, as SCDF reads TASK_EXECUTION: its exit
 * message (which drives composed-task transitions) and, when the platform gave no reason of its
 * own, its error message. The platform still decides liveness and the status: an app that wrote
 * nothing, or wrote "COMPLETED" and was then OOM-killed, ends as the platform says.
 */
export function withAppRecord(
  update: ExecutionUpdate,
  app: AppRecord | null,
): ExecutionUpdate & {
  exitMessage?: string;
} {
  if (!app || !isTerminal(update.status)) return update;
  return {
    ...update,
    ...(app.exitMessage != null ? { exitMessage: app.exitMessage } : {}),
    ...(update.errorMessage == null && app.errorMessage != null ? { errorMessage: app.errorMessage } : {}),
  };
}
