import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import type { ErrorBody, TestServer } from './harness.js';
import { startTestServer } from './harness.js';

/**
 * The launch contract a Spring Cloud Task app gets on the local platform: the pre-created
 * TASK_EXECUTION row's id and the task name as --spring.cloud.task.* (or as environment variables,
 * or SPRING_APPLICATION_JSON, by entry point style), and the job repository as SPRING_DATASOURCE_*
 * in its environment only.
 */

interface Execution {
  id: number;
  status: string;
  exitCode: number | null;
  exitMessage: string | null;
  manifest?: { command: string[]; environment: string[] };
}

const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));

describe('launching a Spring app on the local platform', () => {
  let s: TestServer;
  let pool: pg.Pool;
  const get = (id: number) => s.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
  const finished = (id: number) =>
    until(
      () => get(id),
      (e) => ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(e.status),
      `execution ${id} to end`,
    );
  const logs = (id: number) => fetch(`${s.url}/tasks/executions/${id}/logs`).then((x) => x.text());

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-spring-'));
    s = await startTestServer({
      BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]),
    });
    pool = new pg.Pool({ connectionString: s.db.url, max: 1 });
    const app = await s.request<{ springContract: boolean }>('POST', '/apps/task/springy/1.0', {
      uri: 'local:springy',
      command: ['node', SCRIPT],
    });
    expect(app.body.springContract).toBe(true);
    await s.request('POST', '/tasks/definitions', { name: 'nightly', definition: 'springy --print=hi' });
  });
  afterAll(async () => {
    await pool.end();
    await s.close();
  });

  it('exec: the spring.cloud.task properties name the TASK_EXECUTION row the server created before the launch', async () => {
    const r = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'nightly',
      arguments: ['run.id=1'],
    });
    expect(r.status).toBe(201);
    const spring = await pool.query('SELECT task_name FROM task_execution WHERE task_execution_id = $1', [
      r.body.id,
    ]);
    expect(spring.rows).toEqual([{ task_name: 'nightly' }]);
    const done = await finished(r.body.id);
    expect(done.manifest?.command.slice(2)).toEqual([
      `--spring.cloud.task.executionid=${r.body.id}`,
      '--spring.cloud.task.name=nightly',
      '--spring.cloud.task.initialize-enabled=false',
      '--print=hi',
      'run.id=1',
    ]);
    expect(done.manifest?.environment).toEqual(
      expect.arrayContaining([
        'SPRING_DATASOURCE_URL',
        'SPRING_DATASOURCE_USERNAME',
        'SPRING_DATASOURCE_PASSWORD',
        'SPRING_DATASOURCE_DRIVER_CLASS_NAME',
      ]),
    );
    const password = decodeURIComponent(new URL(s.db.url).password);
    const text = await logs(r.body.id);
    expect(text).toContain(`--spring.cloud.task.executionid=${r.body.id}`);
    if (password) expect(text).not.toContain(password);
    expect(JSON.stringify(done)).not.toContain('jdbc:postgresql');
  });

  it('shell: the properties arrive as environment variables; boot: as SPRING_APPLICATION_JSON', async () => {
    const shell = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'nightly',
      properties: { 'deployer.springy.entryPointStyle': 'shell' },
    });
    const a = await finished(shell.body.id);
    expect(a.manifest?.command.slice(2)).toEqual([]);
    expect(a.manifest?.environment).toEqual(
      expect.arrayContaining(['PRINT', 'SPRING_CLOUD_TASK_EXECUTIONID', 'SPRING_CLOUD_TASK_NAME']),
    );
    const boot = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'nightly',
      properties: { 'deployer.springy.entryPointStyle': 'boot' },
    });
    const b = await finished(boot.body.id);
    expect(b.manifest?.environment).toContain('SPRING_APPLICATION_JSON');
    expect(b.manifest?.environment).not.toContain('SPRING_CLOUD_TASK_EXECUTIONID');
  });

  it('an unknown entry point style is a 400 naming the property', async () => {
    const r = await s.request<ErrorBody>('POST', '/tasks/executions', {
      name: 'nightly',
      properties: { 'deployer.springy.entryPointStyle': 'docker' },
    });
    expect(r.status).toBe(400);
    expect(r.body.details.map((d) => d.path)).toEqual(['body.properties.deployer.springy.entryPointStyle']);
  });

  it("the app's exit message in TASK_EXECUTION becomes the execution's; the platform's exit code stays", async () => {
    const r = await s.request<Execution>('POST', '/tasks/executions', {
      name: 'nightly',
      arguments: ['--sleep=3000', '--exit=3'],
    });
    // What a Spring Cloud Task app writes at its end (JdbcTaskExecutionDao's completeTaskExecution);
    // the row exists since the launch (it was inserted with Batchyard's), the process is still asleep.
    await pool.query(
      `UPDATE TASK_EXECUTION set END_TIME = now(), EXIT_CODE = 0, EXIT_MESSAGE = 'RETRY', ERROR_MESSAGE = 'upstream busy',
         LAST_UPDATED = now() where TASK_EXECUTION_ID = $1`,
      [r.body.id],
    );
    const done = await finished(r.body.id);
    expect(done).toMatchObject({ status: 'FAILED', exitCode: 3, exitMessage: 'RETRY' });
  });
});
