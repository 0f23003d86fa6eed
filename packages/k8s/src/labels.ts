import { executionIdText, sanitizeLabelValue } from './names.js';

// The labels and annotations Batchyard puts on its Jobs, CronJobs and pods. Labels are for
// selection (informers, cleanup, adoption) and hold sanitised values; annotations keep the
// unsanitised originals for display and for mapping back to rows.

export const MANAGED_BY_KEY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'batchyard';
export const TASK_NAME_KEY = 'batchyard.io/task-name';
export const APP_NAME_KEY = 'batchyard.io/app-name';
export const EXECUTION_ID_KEY = 'batchyard.io/execution-id';
export const ACCOUNT_KEY = 'batchyard.io/account';
export const SCHEDULE_NAME_KEY = 'batchyard.io/schedule-name';

/** The selector for everything Batchyard manages, for informers and list calls. */
export const MANAGED_SELECTOR = `${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}`;

/** Legacy label the Job controller puts on its pods; still set by current versions, so works on 1.20. */
export const JOB_NAME_POD_LABEL = 'job-name';

/** The name of the task container in every pod Batchyard creates; logs and decide() look for it. */
export const TASK_CONTAINER_NAME = 'task';

export interface IdentityInput {
  taskName: string;
  appName: string;
  accountName: string;
  /** Absent for a CronJob's template: the Job it spawns is adopted and given a row afterwards. */
  executionId?: number | bigint | string;
  scheduleName?: string;
}

/** Labels identifying a launch. Values are sanitised; the order is fixed for stable manifests. */
export function identityLabels(input: IdentityInput): Record<string, string> {
  const labels: Record<string, string> = {
    [MANAGED_BY_KEY]: MANAGED_BY_VALUE,
    [TASK_NAME_KEY]: sanitizeLabelValue(input.taskName),
    [APP_NAME_KEY]: sanitizeLabelValue(input.appName),
    [ACCOUNT_KEY]: sanitizeLabelValue(input.accountName),
  };
  if (input.executionId !== undefined) labels[EXECUTION_ID_KEY] = executionIdText(input.executionId);
  if (input.scheduleName !== undefined) labels[SCHEDULE_NAME_KEY] = sanitizeLabelValue(input.scheduleName);
  return labels;
}

/** Annotations carrying the unsanitised names. */
export function identityAnnotations(input: IdentityInput): Record<string, string> {
  const annotations: Record<string, string> = {
    [TASK_NAME_KEY]: input.taskName,
    [APP_NAME_KEY]: input.appName,
    [ACCOUNT_KEY]: input.accountName,
  };
  if (input.scheduleName !== undefined) annotations[SCHEDULE_NAME_KEY] = input.scheduleName;
  return annotations;
}

/** Selector for the Jobs (and pods) of one execution. */
export function executionSelector(executionId: number | bigint | string): string {
  return `${MANAGED_SELECTOR},${EXECUTION_ID_KEY}=${executionIdText(executionId)}`;
}

/** Selector for the Jobs (and pods) a schedule's CronJob created. */
export function scheduleSelector(scheduleName: string): string {
  return `${MANAGED_SELECTOR},${SCHEDULE_NAME_KEY}=${sanitizeLabelValue(scheduleName)}`;
}

/** What a Job (or pod) says about the launch it belongs to; used to adopt Jobs that have no row. */
export interface LaunchIdentity {
  /** Absent on Jobs a schedule's CronJob created: those get their row on adoption. */
  executionId?: string;
  /** The unsanitised name from the annotation, falling back to the sanitised label. */
  taskName?: string;
  appName?: string;
  accountName?: string;
  scheduleName?: string;
  managed: boolean;
}

/** Reads the identity labels and annotations of a Batchyard object (any Kubernetes object). */
export function readLaunchIdentity(object: {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}): LaunchIdentity {
  const labels = object.metadata?.labels ?? {};
  const annotations = object.metadata?.annotations ?? {};
  const pick = (key: string): string | undefined => annotations[key] ?? labels[key];
  return {
    executionId: labels[EXECUTION_ID_KEY],
    taskName: pick(TASK_NAME_KEY),
    appName: pick(APP_NAME_KEY),
    accountName: pick(ACCOUNT_KEY),
    scheduleName: pick(SCHEDULE_NAME_KEY),
    managed: labels[MANAGED_BY_KEY] === MANAGED_BY_VALUE,
  };
}
