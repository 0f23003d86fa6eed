import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/setup/database.js';
import { recoverStaleExecutions } from '../repository/recover.js';

// Runs the built bin (npx tsc -b packages/worker first) the way a pod does.
const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
const MODULE = resolve(import.meta.dirname, '../../test/fixtures/counter-job.mjs');

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

function worker(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      BATCHYARD_DATABASE_URL: db.url,
      BATCHYARD_JOB_MODULE: MODULE,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((ok) =>
    child.on('exit', (code, signal) => ok({ code, signal, out })),
  );
  return { child, done };
}

// A generous deadline, not a timing assertion: a loaded CI machine starts processes slowly.
const waitFor = async (sql: string, params: unknown[], ok: (v: number) => boolean) => {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const v = Number((await pool.query(sql, params)).rows[0]?.v ?? 0);
    if (ok(v)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for: ${sql}`);
};

describe('batchyard-worker process', () => {
  it('finds the execution adopted for its Job when the pod has no execution id (CronJob, kubectl)', async () => {
    const own = await createTestDatabase(); // its own numbers_out: the other tests count that table
    const ownPool = new pg.Pool({ connectionString: own.url });
    try {
      const run = worker(['n=5,number'], {
        BATCHYARD_JOB_NAME: 'nightly-28391-abc',
        BATCHYARD_DATABASE_URL: own.url,
      });
      // The control plane adopts the Job a moment after the pod started: the worker waits for it.
      await new Promise((r) => setTimeout(r, 700));
      const te = (
        await ownPool.query(
          `WITH b AS (INSERT INTO batchyard_task_execution (id, task_name, external_execution_id, updated_at)
                      VALUES (nextval('task_seq'), 'nightly', 'nightly-28391-abc', now()) RETURNING id)
           INSERT INTO task_execution (task_execution_id, task_name, external_execution_id)
           SELECT id, 'nightly', 'nightly-28391-abc' FROM b RETURNING task_execution_id AS id`,
        )
      ).rows[0].id as string;
      const { code } = await run.done;
      expect(code).toBe(0);
      const links = await ownPool.query(
        'SELECT job_execution_id FROM task_task_batch WHERE task_execution_id = $1',
        [te],
      );
      expect(links.rowCount).toBe(1);
      const row = await ownPool.query(
        'SELECT exit_message FROM task_execution WHERE task_execution_id = $1',
        [te],
      );
      expect(row.rows[0].exit_message).toBe('COMPLETED');
    } finally {
      await ownPool.end();
      await own.drop();
    }
  });

  it('SIGKILL mid-step, recover, restart with the same parameters: every item exactly once', async () => {
    const te = (
      await pool.query(
        `INSERT INTO task_execution (task_execution_id, task_name) VALUES (nextval('task_seq'), 'n')
         RETURNING task_execution_id::int AS id`,
      )
    ).rows[0].id as number;
    const run = worker(['n=2000,number', '--delayMs=1'], { BATCHYARD_TASK_EXECUTION_ID: String(te) });
    await waitFor(
      `SELECT max(commit_count) AS v FROM batch_step_execution WHERE step_name = 'copy'
       AND job_execution_id IN (SELECT job_execution_id FROM task_task_batch WHERE task_execution_id = $1)`,
      [te],
      (v) => v >= 4,
    );
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const before = Number((await pool.query('SELECT count(*) AS v FROM numbers_out')).rows[0].v);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(2000);
    expect((await worker(['n=2000,number']).done).code).toBe(3); // still STARTED: refused
    await recoverStaleExecutions(pool, { taskExecutionId: te }, { reason: 'SIGKILL' });
    const again = await worker(['n=2000,number']).done;
    expect(again.code).toBe(0);
    const r = (
      await pool.query(
        'SELECT count(*)::int AS c, count(DISTINCT n)::int AS d, sum(n)::int AS s FROM numbers_out',
      )
    ).rows[0];
    expect(r).toEqual({ c: 2000, d: 2000, s: (2000 * 2001) / 2 });
  });

  it('SIGTERM finishes the chunk, marks the job STOPPED and exits 143; a restart completes', async () => {
    await pool.query('DROP TABLE IF EXISTS numbers_out');
    const last = Number(
      (await pool.query('SELECT coalesce(max(step_execution_id), 0) AS v FROM batch_step_execution')).rows[0]
        .v,
    );
    const run = worker(['n=1500,number', 'tag=term', '--delayMs=1']);
    await waitFor(
      `SELECT max(commit_count) AS v FROM batch_step_execution WHERE step_name = 'copy' AND step_execution_id > $1`,
      [last],
      (v) => v >= 2,
    );
    run.child.kill('SIGTERM');
    const { code, out } = await run.done;
    expect(code).toBe(143);
    expect(out).not.toContain(db.url);
    const job = (
      await pool.query(
        `SELECT status, exit_code FROM batch_job_execution ORDER BY job_execution_id DESC LIMIT 1`,
      )
    ).rows[0];
    expect(job).toEqual({ status: 'STOPPED', exit_code: 'STOPPED' });
    expect((await worker(['n=1500,number', 'tag=term']).done).code).toBe(0);
    expect((await pool.query('SELECT count(*)::int AS c FROM numbers_out')).rows[0].c).toBe(1500);
  });

  it('exits 2 on configuration errors without printing the database URL', async () => {
    const r = await worker(['--job=nope']).done;
    expect(r.code).toBe(2);
    expect(r.out).toContain('unknown job');
    expect(r.out).not.toContain(db.url);
    expect((await worker(['bad-arg']).done).code).toBe(2);
  });
});
