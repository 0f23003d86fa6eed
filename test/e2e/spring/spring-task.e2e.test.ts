import { springDatasource } from '@batchyard/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../apps/server/test/harness.js';
import { createTestNamespace, kubeconfigPath, type TestNamespace } from '../../cluster/src/testing.js';
import { createTestDatabase, type TestDatabase } from '../../setup/database.js';
import { until } from '../../setup/until.js';

/**
 * A Spring Cloud Task / Spring Batch app (the node agent runs batchyard/spring-task as
 * fixtures/spring/standin.mjs) inside a composed task on the test control plane: it gets the
 * launch contract from the Job (--spring.cloud.task.*, SPRING_DATASOURCE_* through secretKeyRefs),
 * writes TASK_EXECUTION and BATCH_* with Spring's statements, and its exit message picks the
 * composed transition.
 */

interface Execution {
  id: number;
  taskName: string;
  status: string;
  exitCode: number | null;
  exitMessage: string | null;
  jobExecutionIds: number[];
  manifest?: {
    spec?: { template?: { spec?: { containers?: { args?: string[]; env?: { name: string }[] }[] } } };
  };
}

const TERMINAL = ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'];

describe('a Spring app in a composed task on Kubernetes', () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  let s: TestServer;
  const get = (id: number) => s.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
  const ended = (id: number) =>
    until(
      () => get(id),
      (e) => TERMINAL.includes(e.status),
      `execution ${id} to end`,
      120_000,
    );

  beforeAll(async () => {
    ns = await createTestNamespace('spring');
    db = await createTestDatabase();
    const ds = springDatasource(db.url);
    // The chart's database Secret, with the keys Spring apps' datasource comes from.
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
    for (const app of ['review', 'publish']) {
      const r = await s.request('POST', `/apps/task/${app}/1.0`, {
        uri: 'docker:batchyard/scripted-task:1.0',
        springContract: false,
      });
      expect(r.status).toBe(201);
    }
    const def = await s.request('POST', '/tasks/definitions', {
      name: 'intake',
      definition: "importer --exitMessage=NEEDS_REVIEW 'NEEDS_REVIEW' -> review '*' -> publish",
    });
    expect(def.status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
    await ns?.cleanup();
    await db?.drop();
  });

  it('runs the Spring app as a Job with the contract, reads its job, and takes the transition its exit message names', async () => {
    const launched = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'intake',
      arguments: [],
    });
    expect(launched.status).toBe(201);
    const parent = await ended(launched.body.id);
    expect(parent.status).toBe('COMPLETE');
    const children = (
      await s.request<{ items: (Execution & { parentExecutionId: number })[] }>(
        'GET',
        `/tasks/executions?parent=${parent.id}&size=10`,
      )
    ).body.items;
    expect(children.map((c) => c.taskName).sort()).toEqual(['intake-importer', 'intake-review']);
    const importer = await get(children.find((c) => c.taskName === 'intake-importer')!.id);
    expect(importer).toMatchObject({ status: 'COMPLETE', exitCode: 0, exitMessage: 'NEEDS_REVIEW' });

    // The Job carried the contract; the datasource only as Secret references.
    const container = importer.manifest?.spec?.template?.spec?.containers?.[0];
    expect(container?.args).toEqual(
      expect.arrayContaining([
        `--spring.cloud.task.executionid=${importer.id}`,
        '--spring.cloud.task.name=intake-importer',
        `--spring.cloud.task.parent-execution-id=${parent.id}`,
        '--spring.cloud.task.initialize-enabled=false',
      ]),
    );
    expect(container?.env?.map((e) => e.name)).toEqual(
      expect.arrayContaining(['SPRING_DATASOURCE_URL', 'SPRING_DATASOURCE_PASSWORD']),
    );
    expect(JSON.stringify(importer.manifest)).not.toContain(springDatasource(db.url).url);

    // What the app wrote with Spring's statements, through the API.
    expect(importer.jobExecutionIds).toHaveLength(1);
    const job = (
      await s.request<{
        status: string;
        taskExecutionId: number;
        steps: { stepName: string; readCount: number; commitCount: number }[];
      }>('GET', `/jobs/executions/${importer.jobExecutionIds[0]}`)
    ).body;
    expect(job).toMatchObject({ status: 'COMPLETED', taskExecutionId: importer.id });
    expect(job.steps.map((st) => [st.stepName, st.readCount, st.commitCount])).toEqual([['step1', 30, 3]]);

    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const row = await pool.query(
        'SELECT task_name, parent_execution_id::int AS parent, exit_code, end_time IS NOT NULL AS ended FROM task_execution WHERE task_execution_id = $1',
        [importer.id],
      );
      expect(row.rows[0]).toEqual({
        task_name: 'intake-importer',
        parent: parent.id,
        exit_code: 0,
        ended: true,
      });
    } finally {
      await pool.end();
    }
  });
});
