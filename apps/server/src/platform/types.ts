import type { Readable } from 'node:stream';
import type { ErrorDetail, ExecutionEvent, TaskStatus } from '@batchyard/core';

/** Everything a platform needs to start one task execution. */
export interface LaunchSpec {
  executionId: number;
  taskName: string;
  appName: string;
  appVersion: string;
  /** The registered URI, e.g. docker:acme/etl:1.0. */
  uri: string;
  /** Local-platform argv of the app (from its registration). */
  command: string[] | null;
  args: string[];
  /** Deployer properties for this app, prefixes already removed. */
  deployer: Record<string, string>;
  scheduleName?: string;
  /** Plain, non-secret environment for the container (the Spring contract's shell/boot styles). */
  env?: Record<string, string>;
  /** The app takes Spring Cloud Task's contract (its registration's springContract). */
  springContract?: boolean;
  /** The composed parent, passed as --spring.cloud.task.parent-execution-id. */
  parentExecutionId?: number | null;
  /**
   * The API's address and the execution's own task token (secret: never in a manifest, argument or
   * log). Given to local processes as BATCHYARD_URL and BATCHYARD_TASK_TOKEN.
   */
  taskApi?: { url: string; token: string };
}

export interface LaunchResult {
  /** Job name or local process key: deterministic from the execution id. */
  externalId: string;
  /** What was created, sanitised (no secrets), for the execution record. */
  manifest: unknown;
}

/** What the platform observed about one execution, as the reconciler records it. */
export interface Observation {
  externalId: string;
  executionId?: number;
  status: TaskStatus;
  exitCode?: number;
  reason?: string;
  message?: string;
  startTime?: Date;
  endTime?: Date;
  /** The platform resource should be removed (e.g. a Job stuck in ImagePullBackOff). */
  cleanup?: boolean;
}

/** What the control plane has recorded, for platforms whose decisions depend on it (timeouts, stops). */
export interface RecordedState {
  executionId: number;
  status: TaskStatus;
  startTime: Date | null;
  createdAt: Date;
  /** When the status last changed (e.g. when STOPPING began). */
  updatedAt: Date;
}

export interface AdoptionIdentity {
  taskName: string;
  scheduleName?: string;
  arguments: string[];
}

/** A schedule as a platform with its own scheduler (Kubernetes CronJobs) receives it. */
export interface ScheduleSpec {
  scheduleName: string;
  /** What each fire launches: exactly what a manual launch of the definition would. */
  launch: Omit<LaunchSpec, 'executionId'>;
  cron: string;
  timeZone: string | null;
  concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
  startingDeadlineSeconds: number | null;
  successfulJobsHistoryLimit: number | null;
  failedJobsHistoryLimit: number | null;
  suspend: boolean;
}

/** The platform's scheduler object (a CronJob) as it now exists. */
export interface ScheduleState {
  externalName: string;
  uid?: string;
  cron?: string;
  suspend?: boolean;
  lastScheduleTime?: Date;
  /** Sanitised. */
  manifest?: unknown;
}

/** Something changed for this execution: the reconciler re-reads and re-decides it. */
export interface ChangeRef {
  externalId: string;
  executionId?: number;
}

export interface LogOptions {
  tail?: number;
  follow?: boolean;
}

export interface Platform {
  readonly name: string;
  readonly type: 'local' | 'kubernetes';
  readonly maxConcurrent: number;
  /** Account defaults, merged under each launch's deployer properties. */
  readonly defaults: Readonly<Record<string, string>>;
  /** Pure check of deployer properties, before anything is created. */
  validateDeployerProperties(deployer: Record<string, string>, path: string): ErrorDetail[];
  /** Why this platform cannot run the app at all (the local platform needs a command), or undefined. */
  unrunnableApp?(app: { name: string; command: string[] | null; uri?: string }): string | undefined;
  /**
   * Why this launch would not get capacity right now (e.g. a namespace ResourceQuota), or
   * undefined when it fits. The launcher queues instead of creating something that cannot run.
   */
  shortfall?(spec: LaunchSpec): Promise<string | undefined>;
  /**
   * The sanitised manifest `launch(spec)` would create and record (`LaunchResult.manifest`),
   * creating nothing: the launch preview (dry run) shows it.
   */
  manifest(spec: LaunchSpec): Promise<unknown>;
  /** Idempotent: launching the same execution twice creates one resource. */
  launch(spec: LaunchSpec): Promise<LaunchResult>;
  /** Graceful stop: SIGTERM, the grace period, then removal. */
  stop(externalId: string): Promise<void>;
  /** Removes the platform resource; already gone is success. */
  cleanup(externalId: string): Promise<void>;
  logs(externalId: string, options: LogOptions): Promise<Readable>;
  /** What the platform recorded about the execution's resources (Kubernetes: Job and pod Events). */
  events?(externalId: string): Promise<ExecutionEvent[]>;
  /** The current truth for one execution; undefined = its resource is gone. */
  observe(externalId: string, recorded?: RecordedState): Promise<Observation | undefined>;
  /** Starts watching; every change is signalled through `onChange` (then observed). */
  watch(onChange: (ref: ChangeRef) => void): Promise<void>;
  /**
   * What a platform resource says about itself, for adopting one this server has no row for
   * (a CronJob's Job, a Job created with kubectl). Undefined: not ours to adopt.
   */
  identify?(externalId: string): Promise<AdoptionIdentity | undefined>;
  /**
   * Creates the schedule's scheduler object, or updates it in place (same object, same uid).
   * Platforms without it (local) fire schedules in-process. Throws an ApiError (400) for a
   * schedule the platform cannot honour, e.g. a time zone the cluster ignores.
   */
  schedule?(spec: ScheduleSpec): Promise<ScheduleState>;
  /** Removes the scheduler object; already gone is success. Runs it started are left alone. */
  unschedule?(scheduleName: string): Promise<void>;
  /** The scheduler object as the platform shows it; undefined when it does not exist. */
  scheduleState?(scheduleName: string): Promise<ScheduleState | undefined>;
  close(): Promise<void>;
}
