import { springDatasource } from '@batchyard/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../apps/server/test/harness.js';
import { createTestNamespace, kubeconfigPath, type TestNamespace } from '../../cluster/src/testing.js';
import { createTestDatabase, type TestDatabase } from '../../setup/database.js';
import { until } from '../../setup/until.js';

/**
 * A Spring app on a schedule: the CronJob controller (batch/v1beta1 on the 1.20 test control plane)
 * creates the Job, so no row exists before the pod starts. The stand-in (batchyard/spring-task,
 * fixtures/spring/standin.mjs) gets no execution id, inserts its own TASK_EXECUTION row tagged with
 * the Job's name (`$(BATCHYARD_JOB_NAME)`, expanded by the node agent as the kubelet does), and the
 * reconciler merges that row into the execution it adopted.
 */

interface Execution {
  id: number;
  status: string;
  scheduleName: string | null;
  exitCode: number | null;
  exitMessage: string | null;
  externalExecutionId: string | null;
  jobExecutionIds: number[];
}

describe('a CronJob-fired Spring app on Kubernetes', () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  let s: TestServer;

  beforeAll(async () => {
    ns = await createTestNamespace('spring-cron');
    db = await createTestDatabase();
    const ds = springDatasource(db.url);
    await ns.core.createNamespacedSecret({
      namespace: ns.namespace,
      body: {
        metadata: { name: 'batchyard-database' },
        stringData: { url: db.url, 'jdbc-url': ds.url, username: ds.username, password: ds.password },
      },
    });
    s = await startTestServer(
      {
        BATCHYARD_PLATFORMS: JSON.stringify([
          {
            name: 'k8s',
            type: 'kubernetes',
            kubeconfig: kubeconfigPath(),
            namespace: ns.namespace,
            pendingTimeoutSeconds: 60,
            defaults: { 'requests.cpu': '10m' },
          },
        ]),
        BATCHYARD_RESYNC_SECONDS: '2',
      },
      { db, keepDatabase: true },
    );
    expect(
      (await s.request('POST', '/apps/task/importer/1.0', { uri: 'docker:batchyard/spring-task:1.0' }))
        .status,
    ).toBe(201);
    expect(
      (
        await s.request('POST', '/tasks/definitions', {
          name: 'nightly-import',
          definition: 'importer --items=25',
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
    await ns?.cleanup();
    await db?.drop();
  });

  it("adopts the CronJob's Job and merges the app's own TASK_EXECUTION row into it", async () => {
    const created = await s.request('POST', '/tasks/schedules', {
      scheduleName: 'every-minute',
      taskDefinitionName: 'nightly-import',
      cron: '* * * * *',
      platform: 'k8s',
    });
    expect(created.status).toBe(201);
    // A minute boundary, the 1.20 controller's 10 s poll, then the pod.
    const page = await until(
      () =>
        s
          .request<{ items: Execution[] }>('GET', '/tasks/executions?task=nightly-import&size=5')
          .then((r) => r.body),
      (p) => p.items.some((e) => ['COMPLETE', 'FAILED', 'LOST'].includes(e.status)),
      'a scheduled run to end',
      150_000,
    );
    await s.request('DELETE', '/tasks/schedules/every-minute');
    const done = page.items.find((e) => ['COMPLETE', 'FAILED', 'LOST'].includes(e.status))!;
    const e = (await s.request<Execution>('GET', `/tasks/executions/${done.id}`)).body;
    expect(e).toMatchObject({
      status: 'COMPLETE',
      scheduleName: 'every-minute',
      exitCode: 0,
      exitMessage: 'COMPLETED',
    });
    expect(e.jobExecutionIds).toHaveLength(1);
    const job = (
      await s.request<{ taskExecutionId: number; steps: { readCount: number }[] }>(
        'GET',
        `/jobs/executions/${e.jobExecutionIds[0]}`,
      )
    ).body;
    expect(job.taskExecutionId).toBe(e.id);
    expect(job.steps.map((st) => st.readCount)).toEqual([25]);

    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      // One TASK_EXECUTION row for the run: the adopted one, with the app's end and its Job's name.
      const rows = await pool.query(
        `SELECT task_execution_id::int AS id, exit_message, end_time IS NOT NULL AS ended
           FROM task_execution WHERE external_execution_id = $1`,
        [e.externalExecutionId],
      );
      expect(rows.rows).toEqual([{ id: e.id, exit_message: 'COMPLETED', ended: true }]);
    } finally {
      await pool.end();
    }
  }, 200_000);
});
