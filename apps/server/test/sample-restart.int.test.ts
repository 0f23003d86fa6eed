import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import { startTestServer, type TestServer } from './harness.js';

// The real sample job (apps/sample-task, built) launched through the API on the local platform.
const SAMPLE = fileURLToPath(new URL('../../sample-task/dist/main.js', import.meta.url));

interface Execution {
  id: number;
  status: string;
  exitCode: number | null;
  reason: string | null;
  exitMessage: string | null;
  jobExecutionIds: number[];
}

describe('a batch job killed by the platform, then restarted', () => {
  let s: TestServer;
  let work: string;
  let pool: pg.Pool;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'batchyard-sample-'));
    s = await startTestServer({
      BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]),
    });
    pool = new pg.Pool({ connectionString: s.db.url });
    await s.request('POST', '/apps/task/settlement/1.0', {
      uri: 'docker:batchyard/worker-sample:1.0',
      command: ['node', SAMPLE],
    });
    await s.request('POST', '/tasks/definitions', { name: 'settle', definition: 'settlement' });
  });
  afterAll(async () => {
    await pool.end();
    await s.close();
  });

  it('marks the job left STARTED as FAILED, and a relaunch resumes it to COMPLETED', async () => {
    const input = join(work, 'tx.csv');
    const args = ['rows=3000', 'seed=7', `input=${input}`, '--delayMs=2', '--chunkSize=50'];
    const first = (
      await s.request<Execution>('POST', '/tasks/executions', { name: 'settle', arguments: args })
    ).body;
    const get = (id: number) => s.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
    const committed = () =>
      pool
        .query<{ c: number }>(
          `SELECT coalesce(max(se.commit_count), 0)::int AS c FROM batch_step_execution se
             JOIN task_task_batch tb ON tb.job_execution_id = se.job_execution_id WHERE tb.task_execution_id = $1`,
          [first.id],
        )
        .then((r) => r.rows[0]?.c ?? 0);
    await until(committed, (c) => c >= 3, 'a few committed chunks');

    // The platform kills the worker outright (what an OOM kill or eviction does): no clean stop.
    const pid = Number((await readFile(join(work, `local-${first.id}`, 'pid'), 'utf8')).trim());
    process.kill(-pid, 'SIGKILL');
    const failed = await until(
      () => get(first.id),
      (e) => e.status === 'FAILED',
      'FAILED',
    );
    expect(failed.exitCode).toBe(137);
    const jobId = failed.jobExecutionIds[0]!;
    const job = await until(
      () =>
        pool.query<{ status: string; exit_message: string }>(
          'SELECT status, exit_message FROM batch_job_execution WHERE job_execution_id = $1',
          [jobId],
        ),
      (r) => r.rows[0]?.status === 'FAILED',
      'the job execution to be marked FAILED',
    );
    expect(job.rows[0]?.exit_message).toContain('worker process ended without finishing the job');

    const again = (await s.request<Execution>('POST', `/tasks/executions/${first.id}/relaunch`)).body;
    const done = await until(
      () => get(again.id),
      (e) => ['COMPLETE', 'FAILED'].includes(e.status),
      'the relaunch to end',
      120_000,
    );
    expect(done).toMatchObject({ status: 'COMPLETE', exitCode: 0, exitMessage: 'COMPLETED' });
    const resumed = await pool.query<{ instance: number; read: number }>(
      `SELECT je.job_instance_id::int AS instance, se.read_count::int AS read FROM batch_job_execution je
         JOIN batch_step_execution se ON se.job_execution_id = je.job_execution_id
        WHERE je.job_execution_id = $1 AND se.step_name = (SELECT step_name FROM batch_step_execution
          WHERE job_execution_id = $2 ORDER BY step_execution_id DESC LIMIT 1)`,
      [done.jobExecutionIds[0], jobId],
    );
    const firstInstance = await pool.query<{ i: number }>(
      'SELECT job_instance_id::int AS i FROM batch_job_execution WHERE job_execution_id = $1',
      [jobId],
    );
    // Same job instance, and the restarted step read fewer than all rows: it resumed, not restarted.
    expect(resumed.rows[0]?.instance).toBe(firstInstance.rows[0]?.i);
    expect(resumed.rows[0]?.read).toBeLessThan(3000);
  });
});
