import {
  buildCronJob,
  cronJobSupport,
  decide,
  discoverCapabilities,
  KubeClient,
  podsOfJob,
  type RecordedExecution,
  readLaunchIdentity,
  scheduleSelector,
} from '@batchyard/k8s';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestNamespace, type TestNamespace, waitFor } from '../../cluster/src/testing.js';
import { createDatabaseSecret, DECIDE_OPTIONS, nodeLaunch } from './helpers.js';

/**
 * A schedule's CronJob (batch/v1beta1 on 1.20) fires, and the Job the controller creates carries
 * what the reconciler needs to adopt it: the schedule label, the task identity, and a worker that
 * knows its Job name from the downward API. decide() then follows it to COMPLETE.
 */

let ns: TestNamespace;
let client: KubeClient;

beforeEach(async () => {
  ns = await createTestNamespace('k8s-schedule');
  client = new KubeClient(ns.kc);
  await createDatabaseSecret(ns);
});
afterEach(async () => {
  await ns.cleanup();
});

describe('schedules on the test cluster', () => {
  it('the CronJob creates an adoptable Job that runs to COMPLETE', async () => {
    const support = cronJobSupport(await discoverCapabilities(ns.kc));
    const launch = nodeLaunch(ns, 'console.log("scheduled", process.env.BATCHYARD_JOB_NAME)');
    const cronJob = buildCronJob(
      { ...launch, scheduleName: 'every-minute', schedule: '* * * * *', startingDeadlineSeconds: 120 },
      support,
    );
    await client.createCronJob(cronJob);

    // A minute boundary plus the 1.20 controller's 10 s poll.
    const [job] = await waitFor(
      'a Job created by the CronJob',
      async () => {
        const jobs = await client.listJobs(ns.namespace, scheduleSelector('every-minute'));
        return jobs.length > 0 ? jobs : undefined;
      },
      100_000,
      1000,
    );
    expect(job?.metadata?.ownerReferences?.[0]?.kind).toBe('CronJob');
    expect(readLaunchIdentity(job!)).toMatchObject({
      managed: true,
      executionId: undefined,
      taskName: launch.taskName,
      scheduleName: 'every-minute',
    });

    let record: RecordedExecution = { status: 'PENDING' };
    const name = job!.metadata!.name!;
    record = await waitFor(
      'the scheduled run to finish',
      async () => {
        const current = await client.readJob(ns.namespace, name);
        const pods = podsOfJob(
          current!,
          await client.listPods(ns.namespace, scheduleSelector('every-minute')),
        );
        const decision = decide({ job: current, pods }, record, new Date(), DECIDE_OPTIONS);
        if (decision) record = { ...record, ...decision };
        return record.status === 'COMPLETE' || record.status === 'FAILED' ? record : undefined;
      },
      60_000,
      300,
    );
    expect(record).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    const [pod] = podsOfJob(job!, await client.listPods(ns.namespace, scheduleSelector('every-minute')));
    expect(await client.readPodLog(ns.namespace, pod!.metadata!.name!)).toContain(`scheduled ${name}`);
    expect(await client.deleteCronJob(cronJob)).toBe(true);
  });
});
