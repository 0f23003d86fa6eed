import { cronJobName, KubeClient, scheduleSelector } from '@batchyard/k8s';
import type { V1CronJob } from '@kubernetes/client-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  counterValue,
  type ErrorBody,
  startTestServer,
  type TestServer,
} from '../../../apps/server/test/harness.js';
import { createTestNamespace, kubeconfigPath, type TestNamespace } from '../../cluster/src/testing.js';
import { createTestDatabase, type TestDatabase } from '../../setup/database.js';
import { until } from '../../setup/until.js';

interface Schedule {
  name: string;
  externalName: string | null;
  suspend: boolean;
  cron: string;
  lastScheduleTime: string | null;
  recentExecutions: { id: number; status: string }[];
}
interface Execution {
  id: number;
  status: string;
  scheduleName: string | null;
  taskName: string;
}

// A 60-character schedule name: the CronJob name is shortened by hash to 52 characters.
const NAME = `nightly-settlement-${'x'.repeat(41)}`;

describe('schedules as CronJobs on the test cluster (kube-apiserver 1.20, batch/v1beta1)', () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  let s: TestServer;
  let client: KubeClient;
  const cronJob = (): Promise<V1CronJob | undefined> =>
    client.readCronJob({
      apiVersion: 'batch/v1beta1',
      metadata: { name: cronJobName(NAME), namespace: ns.namespace },
    });
  const show = () => s.request<Schedule>('GET', `/tasks/schedules/${NAME}`).then((r) => r.body);

  beforeAll(async () => {
    ns = await createTestNamespace('schedules');
    client = new KubeClient(ns.kc);
    db = await createTestDatabase();
    await ns.core.createNamespacedSecret({
      namespace: ns.namespace,
      body: { metadata: { name: 'batchyard-database' }, stringData: { url: db.url } },
    });
    s = await startTestServer(
      {
        BATCHYARD_PLATFORMS: JSON.stringify([
          {
            name: 'k8s',
            type: 'kubernetes',
            kubeconfig: kubeconfigPath(),
            namespace: ns.namespace,
            defaults: { 'requests.cpu': '10m' },
          },
        ]),
        BATCHYARD_RESYNC_SECONDS: '2',
      },
      { db, keepDatabase: true },
    );
    await s.request('POST', '/apps/task/scripted/1.0', { uri: 'docker:batchyard/scripted-task:1.0' });
    await s.request('POST', '/tasks/definitions', {
      name: 'hello',
      definition: 'scripted --print=scheduled',
    });
  });
  afterAll(async () => {
    await s?.close();
    await ns?.cleanup();
    await db?.drop();
  });

  it('refuses a time zone the cluster cannot honour, and converts UTC exactly', async () => {
    const berlin = await s.request<ErrorBody>('POST', '/tasks/schedules', {
      scheduleName: 'berlin',
      taskDefinitionName: 'hello',
      cron: '0 3 * * *',
      timeZone: 'Europe/Berlin',
    });
    expect(berlin.status).toBe(400);
    expect(berlin.body.details[0]).toMatchObject({
      path: 'body.timeZone',
      message: expect.stringMatching(/1\.27/),
    });
    const utc = await s.request<Schedule>('POST', '/tasks/schedules', {
      scheduleName: 'utc',
      taskDefinitionName: 'hello',
      cron: '0 3 * * *',
      timeZone: 'Etc/UTC',
      suspend: true,
    });
    expect(utc.status).toBe(201);
    expect((await s.request('DELETE', '/tasks/schedules/utc')).status).toBe(204);
  });

  it('a * * * * * schedule with a 60-character name produces an execution that completes', async () => {
    const created = await s.request<Schedule>('POST', '/tasks/schedules', {
      scheduleName: NAME,
      taskDefinitionName: 'hello',
      cron: '* * * * *',
      arguments: ['--sleep=500'],
    });
    expect(created.status).toBe(201);
    expect(created.body.externalName).toBe(cronJobName(NAME));
    expect(created.body.externalName!.length).toBeLessThanOrEqual(52);
    const cj = await cronJob();
    expect(cj?.spec?.jobTemplate.metadata?.labels?.['batchyard.io/schedule-name']).toBeDefined();

    // A minute boundary, the 1.20 controller's 10 s poll, then the pod.
    const detail = await until(
      show,
      (d) => d.recentExecutions.some((e) => e.status === 'COMPLETE'),
      'a scheduled execution to complete',
      75_000 + 30_000,
    );
    const id = detail.recentExecutions.find((e) => e.status === 'COMPLETE')!.id;
    const execution = (await s.request<Execution>('GET', `/tasks/executions/${id}`)).body;
    expect(execution).toMatchObject({ taskName: 'hello', scheduleName: NAME });
    expect(detail.lastScheduleTime).not.toBeNull();
    // The CronJob's run, adopted by the reconciler, counts as the schedule's launch.
    const runs = detail.recentExecutions.length;
    expect(
      await counterValue(s, 'batchyard_task_launches_total', { result: 'launched', source: 'schedule' }),
    ).toBeGreaterThanOrEqual(runs);
  }, 150_000);

  it('editing the cron updates the CronJob in place (same uid)', async () => {
    const before = await cronJob();
    const patched = await s.request<Schedule>('PATCH', `/tasks/schedules/${NAME}`, { cron: '*/2 * * * *' });
    expect(patched.status).toBe(200);
    const after = await cronJob();
    expect(after?.metadata?.uid).toBe(before?.metadata?.uid);
    expect(after?.spec?.schedule).toBe('*/2 * * * *');
    const put = await s.request<Schedule>('PUT', `/tasks/schedules/${NAME}`, {
      taskDefinitionName: 'hello',
      cron: '* * * * *',
      arguments: ['--sleep=500'],
    });
    expect(put.status).toBe(200);
    expect((await cronJob())?.metadata?.uid).toBe(before?.metadata?.uid);
  });

  it('suspending stops new runs', async () => {
    const suspended = await s.request<Schedule>('POST', `/tasks/schedules/${NAME}/suspend`);
    expect(suspended.body.suspend).toBe(true);
    expect((await cronJob())?.spec?.suspend).toBe(true);
    // A Job the controller created just before the suspend may still appear: count after a pause.
    await new Promise((r) => setTimeout(r, 12_000));
    const jobs = (await client.listJobs(ns.namespace, scheduleSelector(NAME))).length;
    await new Promise((r) => setTimeout(r, 65_000));
    expect((await client.listJobs(ns.namespace, scheduleSelector(NAME))).length).toBe(jobs);
    const resumed = await s.request<Schedule>('POST', `/tasks/schedules/${NAME}/resume`);
    expect((await cronJob())?.spec?.suspend).toBe(resumed.body.suspend);
  }, 120_000);

  it('takes back a CronJob whose schedule row did not commit, and restores one whose edit did not', async () => {
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      // A real failure after the CronJob call: the audit insert of these operations raises.
      await sql.query(`
        CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.correlation_id = 'doomed' OR (NEW.correlation_id = '${NAME}' AND NEW.action = 'UPDATE') THEN
            RAISE EXCEPTION 'refused by the test';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER refuse_doomed BEFORE INSERT ON audit_record FOR EACH ROW EXECUTE FUNCTION refuse_doomed();`);
      const created = await s.request('POST', '/tasks/schedules', {
        scheduleName: 'doomed',
        taskDefinitionName: 'hello',
        cron: '0 3 * * *',
      });
      expect(created.status).toBe(500);
      expect((await s.request('GET', '/tasks/schedules/doomed')).status).toBe(404);
      const doomed = {
        apiVersion: 'batch/v1beta1',
        metadata: { name: cronJobName('doomed'), namespace: ns.namespace },
      };
      await until(
        () => client.readCronJob(doomed),
        (c) => c === undefined,
        'the doomed CronJob to be gone',
        30_000,
      );

      const before = await cronJob();
      const edited = await s.request('PATCH', `/tasks/schedules/${NAME}`, { cron: '0 4 * * *' });
      expect(edited.status).toBe(500);
      expect((await show()).cron).toBe(before?.spec?.schedule);
      const after = await cronJob();
      expect(after?.spec?.schedule).toBe(before?.spec?.schedule);
      expect(after?.metadata?.uid).toBe(before?.metadata?.uid);
    } finally {
      await sql.query(
        'DROP TRIGGER IF EXISTS refuse_doomed ON audit_record; DROP FUNCTION IF EXISTS refuse_doomed()',
      );
      await sql.end();
    }
  });

  it('deleting the schedule removes the CronJob', async () => {
    expect((await s.request('DELETE', `/tasks/schedules/${NAME}`)).status).toBe(204);
    // Deleted with the orphan policy (its running Jobs stay): gone once the collector drops the finalizer.
    await until(cronJob, (c) => c === undefined, 'the CronJob to be gone', 30_000);
    expect((await s.request('GET', `/tasks/schedules/${NAME}`)).status).toBe(404);
    expect((await s.request('DELETE', `/tasks/schedules/${NAME}`)).status).toBe(404);
  });
});
