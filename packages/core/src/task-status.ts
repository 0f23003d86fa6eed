/**
 * Task execution states and the rule that guards every transition. The platform decides
 * liveness: only the control plane writes a task execution's status, from what the platform
 * (Kubernetes Job/Pod, or the local process) reports.
 */
export const TASK_STATUSES = [
  'QUEUED',
  'LAUNCHING',
  'PENDING',
  'RUNNING',
  'STOPPING',
  'COMPLETE',
  'FAILED',
  'STOPPED',
  'LOST',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['COMPLETE', 'FAILED', 'STOPPED', 'LOST']);
/** States that hold platform capacity (count against an account's concurrency limit). */
export const ACTIVE_STATUSES: readonly TaskStatus[] = ['LAUNCHING', 'PENDING', 'RUNNING', 'STOPPING'];

export const isTerminal = (s: TaskStatus): boolean => TERMINAL_STATUSES.has(s);

const ORDER: Record<TaskStatus, number> = {
  QUEUED: 0,
  LAUNCHING: 1,
  PENDING: 2,
  RUNNING: 3,
  STOPPING: 4,
  COMPLETE: 5,
  FAILED: 5,
  STOPPED: 5,
  LOST: 5,
};

/**
 * Whether `from → to` may be recorded. Terminal states are final; otherwise the execution only
 * moves forward (events can arrive out of order: a late "Pending" never overwrites "Running"),
 * except that STOPPING may be entered from any live state.
 */
export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  if (from === to) return false;
  if (isTerminal(from)) return false;
  if (to === 'STOPPING') return from !== 'QUEUED';
  if (from === 'STOPPING') return isTerminal(to);
  return ORDER[to] > ORDER[from];
}
