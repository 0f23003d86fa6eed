import {
  ApisApi,
  BatchV1Api,
  type KubeConfig,
  type V1APIGroupList,
  type V1APIResourceList,
  VersionApi,
  type VersionInfo,
} from '@kubernetes/client-node';
import type { CronJobApiVersion, CronJobSupport } from './cronjob-builder.js';

// What the cluster serves, found once at start-up, so the same server works on Kubernetes 1.20
// (batch/v1beta1 CronJob only, no Job TTL by default) and on current versions. The decision is a
// pure function of the discovery documents; the fetch is a thin wrapper around it.

export interface ClusterCapabilities {
  /** e.g. `v1.20.2`. */
  gitVersion: string;
  major: number;
  minor: number;
  /** Which CronJob API to use; undefined when the cluster serves none (schedules unavailable). */
  cronJobApiVersion?: CronJobApiVersion;
  /** batch/v1 CronJob `spec.timeZone` (GA in 1.27). */
  cronJobTimeZone: boolean;
  /** Job `ttlSecondsAfterFinished` is honoured (beta, on by default, from 1.21; alpha and off in 1.20). */
  jobTtlAfterFinished: boolean;
  /** Job `suspend` (beta from 1.22, GA 1.24). */
  jobSuspend: boolean;
  /** Pod DisruptionTarget condition and Job podFailurePolicy (on by default from 1.26). */
  podDisruptionConditions: boolean;
  /** Job SuccessCriteriaMet / FailureTarget interim conditions (1.31+). */
  jobInterimConditions: boolean;
}

/** `"20"`, `"20+"` (GKE, EKS) → 20. */
function versionNumber(text: string | undefined, what: string): number {
  const match = /^(\d+)/.exec(text ?? '');
  if (!match) throw new Error(`cannot read the Kubernetes ${what} version from '${text ?? ''}'`);
  return Number(match[1]);
}

/** The capabilities implied by the version and the discovery documents of the batch group. */
export function capabilitiesFrom(
  version: Pick<VersionInfo, 'major' | 'minor' | 'gitVersion'>,
  groups: V1APIGroupList,
  batchV1Resources: V1APIResourceList | undefined,
): ClusterCapabilities {
  const major = versionNumber(version.major, 'major');
  const minor = versionNumber(version.minor, 'minor');
  const atLeast = (m: number): boolean => major > 1 || (major === 1 && minor >= m);
  const batch = groups.groups.find((group) => group.name === 'batch');
  const served = new Set(batch?.versions.map((v) => v.version) ?? []);
  const v1CronJobs = batchV1Resources?.resources.some((resource) => resource.name === 'cronjobs') ?? false;
  let cronJobApiVersion: CronJobApiVersion | undefined;
  if (served.has('v1') && v1CronJobs) cronJobApiVersion = 'batch/v1';
  else if (served.has('v1beta1')) cronJobApiVersion = 'batch/v1beta1';
  return {
    gitVersion: version.gitVersion,
    major,
    minor,
    cronJobApiVersion,
    cronJobTimeZone: cronJobApiVersion === 'batch/v1' && atLeast(27),
    jobTtlAfterFinished: atLeast(21),
    jobSuspend: atLeast(22),
    podDisruptionConditions: atLeast(26),
    jobInterimConditions: atLeast(31),
  };
}

/** The CronJob support to pass to buildCronJob(); throws when the cluster serves no CronJob API. */
export function cronJobSupport(capabilities: ClusterCapabilities): CronJobSupport {
  if (!capabilities.cronJobApiVersion) {
    throw new Error(
      `the cluster (${capabilities.gitVersion}) serves neither batch/v1 nor batch/v1beta1 CronJobs`,
    );
  }
  return { apiVersion: capabilities.cronJobApiVersion, timeZone: capabilities.cronJobTimeZone };
}

/** Asks the API server: `/version`, `/apis`, `/apis/batch/v1`. */
export async function discoverCapabilities(kc: KubeConfig): Promise<ClusterCapabilities> {
  const [version, groups, batchV1] = await Promise.all([
    kc.makeApiClient(VersionApi).getCode(),
    kc.makeApiClient(ApisApi).getAPIVersions(),
    kc.makeApiClient(BatchV1Api).getAPIResources(),
  ]);
  return capabilitiesFrom(version, groups, batchV1);
}
