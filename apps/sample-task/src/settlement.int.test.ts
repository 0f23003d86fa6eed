import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { recoverStaleExecutions } from '@batchyard/worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { expectedSettlement } from './generate.js';

// These tests run the built entry point (npx tsc -b apps/sample-task first), as the pod does.
const MAIN = resolve(import.meta.dirname, '../dist/main.js');

let db: TestDatabase;
let pool: pg.Pool;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url });
  dir = await mkdtemp(join(tmpdir(), 'settlement-'));
});
afterAll(async () => {
  await pool.end();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>;
}

function start(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', BATCHYARD_DATABASE_URL: db.url, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((ok) =>
    child.on('exit', (code, signal) => ok({ code, signal, stdout })),
  );
  return { child, done };
}

async function settlement(runKey: string) {
  const r = await pool.query(
    'SELECT merchant, tx_count, total_cents::int AS total FROM settlement WHERE run_key = $1 ORDER BY merchant',
    [runKey],
  );
  return new Map(
    r.rows.map((row) => [
      row.merchant as string,
      { count: row.tx_count as number, total: row.total as number },
    ]),
  );
}

async function newTaskExecution(): Promise<number> {
  // As the control plane does: Batchyard's row and Spring Cloud Task's, under one TASK_SEQ id.
  const r = await pool.query(
    `WITH b AS (INSERT INTO batchyard_task_execution (id, task_name, updated_at)
                VALUES (nextval('task_seq'), 'settle', now()) RETURNING id)
     INSERT INTO task_execution (task_execution_id, task_name) SELECT id, 'settle' FROM b RETURNING task_execution_id AS id`,
  );
  return Number(r.rows[0].id);
}

describe('sample settlement task', () => {
  it('completes, links the task execution and writes exit_message only', async () => {
    const te = await newTaskExecution();
    // Exactly the documented command: the input goes to the default path in the temp directory.
    const run = start(['rows=1000', 'seed=1'], {
      BATCHYARD_TASK_EXECUTION_ID: String(te),
      BATCHYARD_TASK_NAME: 'settle',
    });
    const { code, stdout } = await run.done;
    expect(code).toBe(0);
    expect(stdout).not.toContain(db.url);
    for (const line of stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    // The worker writes Spring Cloud Task's EXIT_MESSAGE only; Batchyard's status is the control plane's.
    const task = (
      await pool.query(
        `SELECT b.status, b.exit_message AS own, t.exit_message FROM batchyard_task_execution b
           JOIN task_execution t ON t.task_execution_id = b.id WHERE b.id = $1`,
        [te],
      )
    ).rows[0];
    expect(task).toEqual({ status: 'LAUNCHING', own: null, exit_message: 'COMPLETED' });
    const link = await pool.query(
      'SELECT job_execution_id::int AS job_execution_id FROM task_task_batch WHERE task_execution_id = $1',
      [te],
    );
    expect(link.rowCount).toBe(1);
    const step = (
      await pool.query(
        `SELECT se.step_execution_id::int AS id, se.status, se.read_count::int AS read_count, se.write_count::int AS write_count,
              se.commit_count::int AS commit_count, se.read_skip_count::int AS read_skip_count FROM batch_step_execution se WHERE step_name = 'settle' AND job_execution_id = $1`,
        [link.rows[0].job_execution_id],
      )
    ).rows[0];
    const expected = expectedSettlement(1000, 1);
    const valid = [...expected.values()].reduce((n, m) => n + m.count, 0);
    expect(step.write_count).toBe(valid);
    expect(step.read_skip_count).toBe(1000 - valid);
    expect(step.read_count).toBe(valid);
  });

  it('launched twice as the quick start does, both complete: run.id 1 then 2, two instances', async () => {
    // SAMPLE_TASK's DSL (`settlement --chunkSize=100`) plus the README's launch argument.
    const args = ['--chunkSize=100', 'rows=500', 'seed=3'];
    const first = await start(args).done;
    const second = await start(args).done;
    expect([first.code, second.code]).toEqual([0, 0]);
    const runs = await pool.query(
      `SELECT je.status, i.job_instance_id::int AS instance, i.job_key, p.parameter_value AS run_id
       FROM batch_job_execution je
       JOIN batch_job_instance i ON i.job_instance_id = je.job_instance_id
       JOIN batch_job_execution_params p ON p.job_execution_id = je.job_execution_id AND p.parameter_name = 'run.id'
       WHERE je.job_execution_id IN (SELECT job_execution_id FROM batch_job_execution ORDER BY job_execution_id DESC LIMIT 2)
       ORDER BY je.job_execution_id`,
    );
    expect(runs.rows.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(Number(runs.rows[1].run_id)).toBe(Number(runs.rows[0].run_id) + 1);
    expect(runs.rows[0].instance).not.toBe(runs.rows[1].instance);
    // Each instance settled the whole file once, under its own run key.
    const expected = expectedSettlement(500, 3);
    expect(await settlement(runs.rows[0].job_key as string)).toEqual(expected);
    expect(await settlement(runs.rows[1].job_key as string)).toEqual(expected);
  });

  it('fails at failAt and a restart resumes from the last committed chunk', async () => {
    const input = join(dir, 'b.csv');
    const args = ['rows=2000', 'seed=7', `input=${input}`, '--chunkSize=100'];
    const first = await start([...args, '--failAt=1234']).done;
    expect(first.code).toBe(1);
    const step1 = (
      await pool.query(`SELECT se.step_execution_id::int AS id, se.status, se.read_count::int AS read_count, se.write_count::int AS write_count,
              se.commit_count::int AS commit_count, se.read_skip_count::int AS read_skip_count FROM batch_step_execution se WHERE step_name = 'settle' ORDER BY 1 DESC LIMIT 1`)
    ).rows[0];
    expect(step1.status).toBe('FAILED');
    expect(step1.commit_count).toBeGreaterThan(0);
    const second = await start(args).done;
    expect(second.code).toBe(0);
    const step2 = (
      await pool.query(`SELECT se.step_execution_id::int AS id, se.status, se.read_count::int AS read_count, se.write_count::int AS write_count,
              se.commit_count::int AS commit_count, se.read_skip_count::int AS read_skip_count FROM batch_step_execution se WHERE step_name = 'settle' ORDER BY 1 DESC LIMIT 1`)
    ).rows[0];
    // The second run read only what the first did not commit.
    const expected = expectedSettlement(2000, 7);
    const valid = [...expected.values()].reduce((n, m) => n + m.count, 0);
    expect(step1.write_count + step2.write_count).toBe(valid);
    expect(step2.read_count + step2.read_skip_count).toBeLessThan(2000);
  });

  it('SIGKILL mid-step, recover, restart: every transaction settled exactly once', async () => {
    const te = await newTaskExecution();
    const input = join(dir, 'c.csv');
    const args = ['rows=3000', 'seed=42', `input=${input}`, '--chunkSize=50', '--delayMs=1'];
    const run = start(args, { BATCHYARD_TASK_EXECUTION_ID: String(te) });
    // Wait until a few chunks are committed, then kill without warning.
    for (;;) {
      const r = await pool.query(
        `SELECT max(commit_count)::int AS c FROM batch_step_execution WHERE step_name = 'settle'
        AND job_execution_id IN (SELECT job_execution_id FROM task_task_batch WHERE task_execution_id = $1)`,
        [te],
      );
      if ((r.rows[0].c ?? 0) >= 3) break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    // Left STARTED: a relaunch is refused until the reconciler recovers it.
    expect((await start(args).done).code).toBe(3);
    const recovered = await recoverStaleExecutions(pool, { taskExecutionId: te }, { reason: 'pod killed' });
    expect(recovered.jobExecutionIds).toHaveLength(1);
    const again = await start(args.filter((a) => a !== '--delayMs=1')).done;
    expect(again.code).toBe(0);
    // The settlement rows of this instance: run_key is its job key (identifying parameters + run.id).
    const instance = await pool.query(
      `SELECT DISTINCT i.job_key FROM task_task_batch tb
       JOIN batch_job_execution je ON je.job_execution_id = tb.job_execution_id
       JOIN batch_job_instance i ON i.job_instance_id = je.job_instance_id WHERE tb.task_execution_id = $1`,
      [te],
    );
    expect(instance.rowCount).toBe(1);
    const runKey = instance.rows[0].job_key as string;
    const expected = expectedSettlement(3000, 42);
    const actual = await settlement(runKey);
    expect(actual).toEqual(expected);
  });
});
