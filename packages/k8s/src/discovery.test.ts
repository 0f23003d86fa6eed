import type { V1APIGroupList, V1APIResourceList } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { capabilitiesFrom, cronJobSupport } from './discovery.js';

const groups = (...versions: string[]): V1APIGroupList => ({
  kind: 'APIGroupList',
  groups: [
    {
      name: 'batch',
      versions: versions.map((version) => ({ groupVersion: `batch/${version}`, version })),
      preferredVersion: { groupVersion: `batch/${versions[0]}`, version: versions[0]! },
    },
  ],
});

const batchV1 = (...names: string[]): V1APIResourceList => ({
  groupVersion: 'batch/v1',
  resources: names.map((name) => ({
    name,
    kind: name,
    namespaced: true,
    singularName: '',
    verbs: ['create'],
  })),
});

describe('capabilitiesFrom', () => {
  it('Kubernetes 1.20: v1beta1 CronJob, no time zone, no TTL by default', () => {
    const caps = capabilitiesFrom(
      { major: '1', minor: '20', gitVersion: 'v1.20.2' },
      groups('v1', 'v1beta1'),
      batchV1('jobs', 'jobs/status'),
    );
    expect(caps).toMatchObject({
      cronJobApiVersion: 'batch/v1beta1',
      cronJobTimeZone: false,
      jobTtlAfterFinished: false,
    });
    expect(cronJobSupport(caps)).toEqual({ apiVersion: 'batch/v1beta1', timeZone: false });
  });

  it('Kubernetes 1.24 (GKE-style minor "24+"): v1 CronJob without time zone', () => {
    const caps = capabilitiesFrom(
      { major: '1', minor: '24+', gitVersion: 'v1.24.3-gke.1' },
      groups('v1', 'v1beta1'),
      batchV1('cronjobs', 'jobs'),
    );
    expect(caps).toMatchObject({
      minor: 24,
      cronJobApiVersion: 'batch/v1',
      cronJobTimeZone: false,
      jobSuspend: true,
    });
  });

  it('Kubernetes 1.33: v1 CronJob with time zone and interim Job conditions', () => {
    const caps = capabilitiesFrom(
      { major: '1', minor: '33', gitVersion: 'v1.33.1' },
      groups('v1'),
      batchV1('cronjobs', 'jobs'),
    );
    expect(caps).toMatchObject({
      cronJobApiVersion: 'batch/v1',
      cronJobTimeZone: true,
      jobInterimConditions: true,
      podDisruptionConditions: true,
    });
  });

  it('no CronJob API at all', () => {
    const caps = capabilitiesFrom(
      { major: '1', minor: '30', gitVersion: 'v1.30.0' },
      groups('v1'),
      batchV1('jobs'),
    );
    expect(caps.cronJobApiVersion).toBeUndefined();
    expect(() => cronJobSupport(caps)).toThrow('serves neither batch/v1 nor batch/v1beta1 CronJobs');
  });

  it('rejects an unreadable version', () => {
    expect(() =>
      capabilitiesFrom({ major: '', minor: 'x', gitVersion: '?' }, groups('v1'), undefined),
    ).toThrow("cannot read the Kubernetes major version from ''");
  });
});
