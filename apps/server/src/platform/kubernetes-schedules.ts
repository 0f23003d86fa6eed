import { ApiError, DEFAULT_TABLE_PREFIXES, type SpringTablePrefixes } from '@batchyard/core';
import {
  buildCronJob,
  type ClusterCapabilities,
  type CronJobSupport,
  cronJobName,
  cronJobSupport,
  DeployerPropertiesError,
  discoverCapabilities,
  ENV_JOB_NAME,
  KubeClient,
  parseDeployerProperties,
  podFeaturesFor,
  type SpringDatasourceSecret,
  sanitizeManifest,
  type TaskApiAccess,
} from '@batchyard/k8s';
import type { KubeConfig, V1CronJob } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { withScheduledSpringContract } from '../spring/launch-contract.js';
import type { ScheduleSpec, ScheduleState } from './types.js';

export interface KubernetesSchedulesOptions {
  kc: KubeConfig;
  namespace: string;
  accountName: string;
  databaseSecret: { name: string; key: string };
  taskApi?: TaskApiAccess;
  /** Where Spring apps' SPRING_DATASOURCE_* come from; without it they get none. */
  springDatasourceSecret?: SpringDatasourceSecret;
  /** The job repository's table prefixes, passed to Spring apps when not Spring's defaults. */
  tablePrefixes?: Readonly<SpringTablePrefixes>;
  logger: Logger;
  /** `docker:acme/etl:1.0` → `acme/etl:1.0`. */
  image: (uri: string) => string;
}

/** What the pure CronJob build needs besides the schedule. */
export type ScheduleBuildContext = Omit<KubernetesSchedulesOptions, 'kc' | 'logger'> & {
  capabilities?: ClusterCapabilities;
};

/**
 * A CronJob's Spring app learns its Job's name from the downward API (BATCHYARD_JOB_NAME); the
 * kubelet expands `$(VAR)` in args and env values, so every entry point style carries it.
 */
export const SCHEDULED_EXTERNAL_ID = `$(${ENV_JOB_NAME})`;

/**
 * A Kubernetes account's schedules as CronJobs. Which CronJob API the cluster serves (batch/v1 or,
 * on 1.20, batch/v1beta1) and whether it honours `timeZone` is discovered once per account. The
 * CronJob's jobTemplate is the manual launch's Job (same builder); the Jobs it creates are adopted
 * by the reconciler into executions carrying the schedule's name.
 */
export class KubernetesSchedules {
  private readonly client: KubeClient;
  private support: Promise<CronJobSupport> | undefined;
  private capabilities: ClusterCapabilities | undefined;

  constructor(private readonly options: KubernetesSchedulesOptions) {
    this.client = new KubeClient(options.kc);
  }

  /** Discovered on first use; a failed discovery is retried by the next call, not cached. */
  private cronJobSupport(): Promise<CronJobSupport> {
    this.support ??= discoverCapabilities(this.options.kc)
      .then((caps) => {
        this.capabilities = caps;
        return cronJobSupport(caps);
      })
      .catch((err: unknown) => {
        this.support = undefined;
        throw err;
      });
    return this.support;
  }

  /** Creates the CronJob, or replaces it in place (PUT keeps its uid and its Jobs' history). */
  async schedule(spec: ScheduleSpec): Promise<ScheduleState> {
    const support = await this.cronJobSupport();
    const cronJob = this.build(spec, support);
    const applied = await this.client.applyCronJob(cronJob);
    return toState(applied);
  }

  async unschedule(scheduleName: string): Promise<void> {
    const support = await this.cronJobSupport();
    await this.client.deleteCronJob(this.ref(scheduleName, support));
  }

  async state(scheduleName: string): Promise<ScheduleState | undefined> {
    const support = await this.cronJobSupport();
    const cronJob = await this.client.readCronJob(this.ref(scheduleName, support));
    return cronJob ? toState(cronJob) : undefined;
  }

  private ref(scheduleName: string, support: CronJobSupport): Pick<V1CronJob, 'apiVersion' | 'metadata'> {
    return {
      apiVersion: support.apiVersion,
      metadata: { name: cronJobName(scheduleName), namespace: this.options.namespace },
    };
  }

  private build(spec: ScheduleSpec, support: CronJobSupport): V1CronJob {
    return buildScheduleCronJob(spec, support, { ...this.options, capabilities: this.capabilities });
  }
}

/**
 * Pure: a schedule → its CronJob, refusals as 400s. A Spring app's template carries the contract
 * without an execution id (withScheduledSpringContract) and the datasource Secret references.
 */
export function buildScheduleCronJob(
  spec: ScheduleSpec,
  support: CronJobSupport,
  context: ScheduleBuildContext,
): V1CronJob {
  const timeZone = effectiveTimeZone(spec.timeZone, support);
  let properties: ReturnType<typeof parseDeployerProperties>;
  try {
    properties = parseDeployerProperties([spec.launch.deployer], { cluster: context.capabilities });
  } catch (err) {
    if (!(err instanceof DeployerPropertiesError)) throw err;
    const details = err.issues.map((i) => ({ path: `body.properties.${i.path}`, message: i.message }));
    throw new ApiError('INVALID_PROPERTY', details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
  }
  const launch = withScheduledSpringContract(
    spec.launch,
    SCHEDULED_EXTERNAL_ID,
    context.tablePrefixes ?? DEFAULT_TABLE_PREFIXES,
  );
  try {
    return buildCronJob(
      {
        scheduleName: spec.scheduleName,
        taskName: launch.taskName,
        appName: launch.appName,
        accountName: context.accountName,
        namespace: context.namespace,
        image: context.image(launch.uri),
        args: launch.args,
        env: launch.env,
        databaseSecret: context.databaseSecret,
        taskApi: context.taskApi,
        ...(launch.springContract && context.springDatasourceSecret
          ? { springDatasource: context.springDatasourceSecret }
          : {}),
        properties,
        podFeatures: podFeaturesFor(context.capabilities),
        schedule: spec.cron,
        timeZone: timeZone ?? undefined,
        concurrencyPolicy: spec.concurrencyPolicy,
        startingDeadlineSeconds: spec.startingDeadlineSeconds ?? undefined,
        successfulJobsHistoryLimit: spec.successfulJobsHistoryLimit ?? undefined,
        failedJobsHistoryLimit: spec.failedJobsHistoryLimit ?? undefined,
        suspend: spec.suspend,
      },
      support,
    );
  } catch (err) {
    // The builder's reasons (schedule, time zone, limits) are all about the request.
    throw new ApiError('VALIDATION_FAILED', (err as Error).message, [
      { path: 'body', message: (err as Error).message },
    ]);
  }
}

/**
 * The time zone to put on the CronJob. Where the cluster ignores `timeZone` (1.20–1.26) the
 * controller reads the cron in its own zone, UTC: a zone that is UTC+0 all year is converted
 * exactly (dropped); any other is refused, since the CronJob would fire at the wrong hour.
 */
export function effectiveTimeZone(timeZone: string | null, support: CronJobSupport): string | null {
  if (!timeZone || support.timeZone) return timeZone;
  if (alwaysUtc(timeZone)) return null;
  const message =
    `time zone '${timeZone}' cannot be honoured: this cluster serves ${support.apiVersion} CronJobs without ` +
    'spec.timeZone (Kubernetes 1.27+ has it), so the cron would be read in UTC; convert the expression to UTC ' +
    'and omit timeZone';
  throw new ApiError('VALIDATION_FAILED', `body.timeZone: ${message}`, [{ path: 'body.timeZone', message }]);
}

function alwaysUtc(timeZone: string): boolean {
  const year = new Date().getUTCFullYear();
  const offset = (month: number): string =>
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(Date.UTC(year, month, 15)))
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  const zero = (text: string): boolean => /^GMT([+-]00:?00)?$/.test(text);
  return zero(offset(0)) && zero(offset(6));
}

function toState(cronJob: V1CronJob): ScheduleState {
  const last = cronJob.status?.lastScheduleTime;
  return {
    externalName: cronJob.metadata?.name ?? '',
    uid: cronJob.metadata?.uid,
    cron: cronJob.spec?.schedule,
    suspend: cronJob.spec?.suspend,
    lastScheduleTime: last === undefined ? undefined : new Date(last),
    manifest: sanitizeManifest(cronJob),
  };
}
