import type { V1CronJob } from '@kubernetes/client-node';
import { buildJobShape, compact, type JobTemplateInput } from './job-builder.js';
import { cronJobName } from './names.js';

// Pure: a schedule → its CronJob. The jobTemplate is exactly the Job of a manual launch minus the
// execution id (the controller names the Jobs; the reconciler adopts them and creates their rows),
// plus the schedule-name label, so one informer and one decide() serve both kinds of launch.

/** batch/v1 CronJob: Kubernetes 1.21+. batch/v1beta1: up to 1.24 (the only one on 1.20). */
export type CronJobApiVersion = 'batch/v1' | 'batch/v1beta1';

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';

/** What the cluster serves, from discovery. */
export interface CronJobSupport {
  apiVersion: CronJobApiVersion;
  /** `spec.timeZone` is honoured (batch/v1 on Kubernetes 1.27+, 1.25–1.26 with the beta gate). */
  timeZone: boolean;
}

export interface CronJobBuildInput extends JobTemplateInput {
  scheduleName: string;
  /** Five-field cron expression or a macro such as `@daily`. */
  schedule: string;
  /** IANA time zone, e.g. `Europe/Berlin`. Without it the controller uses its own zone (usually UTC). */
  timeZone?: string;
  /** Default Forbid: two runs of one task overlapping is rarely wanted and often harmful. */
  concurrencyPolicy?: ConcurrencyPolicy;
  /**
   * Default 300. Without a deadline the 1.20 controller gives up on a CronJob that missed more than
   * 100 fires (after downtime); with one it runs at most the latest missed fire, never a storm.
   */
  startingDeadlineSeconds?: number;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  suspend?: boolean;
}

export const DEFAULT_CONCURRENCY_POLICY: ConcurrencyPolicy = 'Forbid';
export const DEFAULT_STARTING_DEADLINE_SECONDS = 300;
export const DEFAULT_SUCCESSFUL_HISTORY = 3;
export const DEFAULT_FAILED_HISTORY = 1;

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const CRON_FIELD_RE = /^[0-9A-Za-z*?/,\-LW#]+$/;

/** Why `schedule` is not a schedule the CronJob controller accepts, or undefined. */
export function cronScheduleError(schedule: string): string | undefined {
  const text = schedule.trim();
  if (/^(CRON_)?TZ=/.test(text)) {
    return 'must not carry a TZ= or CRON_TZ= prefix (Kubernetes rejects it from 1.27); use timeZone';
  }
  if (text.startsWith('@')) {
    return MACROS.has(text) || text.startsWith('@every ') ? undefined : `unknown macro '${text}'`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return `must have 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  }
  const bad = fields.find((field) => !CRON_FIELD_RE.test(field));
  return bad ? `field '${bad}' has characters a cron field cannot hold` : undefined;
}

/** Why `timeZone` is not an IANA time zone name, or undefined. */
export function timeZoneError(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    return `'${timeZone}' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`;
  }
}

function nonNegativeInt(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new Error(`${name} must be a non-negative integer, got ${value}`);
  }
}

/** Builds the CronJob of a schedule for the API version the cluster serves. Throws with a clear reason. */
export function buildCronJob(input: CronJobBuildInput, support: CronJobSupport): V1CronJob {
  const scheduleError = cronScheduleError(input.schedule);
  if (scheduleError) throw new Error(`schedule '${input.schedule}' ${scheduleError}`);
  if (input.timeZone !== undefined) {
    const zoneError = timeZoneError(input.timeZone);
    if (zoneError) throw new Error(`timeZone ${zoneError}`);
    if (support.apiVersion !== 'batch/v1' || !support.timeZone) {
      throw new Error(
        `timeZone '${input.timeZone}' is not supported by this cluster: CronJob time zones need batch/v1 ` +
          `CronJob with spec.timeZone (Kubernetes 1.27+), and the cluster serves ${support.apiVersion}` +
          `${support.apiVersion === 'batch/v1' ? ' without timeZone' : ''}; leave timeZone empty to use the controller's zone (UTC)`,
      );
    }
  }
  nonNegativeInt('startingDeadlineSeconds', input.startingDeadlineSeconds);
  nonNegativeInt('successfulJobsHistoryLimit', input.successfulJobsHistoryLimit);
  nonNegativeInt('failedJobsHistoryLimit', input.failedJobsHistoryLimit);

  const shape = buildJobShape(input);
  return {
    apiVersion: support.apiVersion,
    kind: 'CronJob',
    metadata: {
      name: cronJobName(input.scheduleName),
      namespace: input.namespace,
      labels: shape.metadata.labels,
      annotations: shape.metadata.annotations,
    },
    spec: compact({
      schedule: input.schedule.trim(),
      timeZone: input.timeZone,
      concurrencyPolicy: input.concurrencyPolicy ?? DEFAULT_CONCURRENCY_POLICY,
      startingDeadlineSeconds: input.startingDeadlineSeconds ?? DEFAULT_STARTING_DEADLINE_SECONDS,
      successfulJobsHistoryLimit: input.successfulJobsHistoryLimit ?? DEFAULT_SUCCESSFUL_HISTORY,
      failedJobsHistoryLimit: input.failedJobsHistoryLimit ?? DEFAULT_FAILED_HISTORY,
      suspend: input.suspend ?? false,
      jobTemplate: shape,
    }),
  };
}
