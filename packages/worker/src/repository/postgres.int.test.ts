import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/setup/database.js';
import {
  chunkStep,
  iterableReader,
  JobInstanceAlreadyCompleteError,
  job,
  launchJob,
  PostgresJobRepository,
  parameters,
  recoverStaleExecutions,
  taskletStep,
} from '../index.js';

let db: TestDatabase;
let repo: PostgresJobRepository;

beforeAll(async () => {
  db = await createTestDatabase();
  repo = PostgresJobRepository.fromUrl(db.url);
});
afterAll(async () => {
  await repo.close();
  await db.drop();
});

class Boom extends Error {}

describe('PostgresJobRepository', () => {
  it('records a job, its parameters, steps and contexts; refuses a completed instance', async () => {
    const written: number[] = [];
    const j = job('pg-basic')
      .start(
        chunkStep<number, number>('load', {
          reader: iterableReader([1, 2, 3, 4, 5]),
          writer: { write: (items) => void written.push(...items) },
          chunkSize: 2,
        }),
      )
      .build();
    const params = parameters({ run: 1, when: new Date('2026-01-01T00:00:00Z') }).with('note', 'x', {
      identifying: false,
    });
    const ex = await launchJob(j, params, { repository: repo });
    expect(ex.status).toBe('COMPLETED');
    expect(written).toEqual([1, 2, 3, 4, 5]);
    const c = repo.pool;
    const step = (await c.query('SELECT * FROM step_execution WHERE job_execution_id = $1', [ex.id])).rows[0];
    expect(step).toMatchObject({
      job_name: 'pg-basic',
      status: 'COMPLETED',
      read_count: 5,
      write_count: 5,
      commit_count: 3,
    });
    const ctx = (
      await c.query('SELECT context FROM step_execution_context WHERE step_execution_id = $1', [step.id])
    ).rows[0].context;
    expect(ctx).toEqual({ 'iterableReader.read.count': 5 });
    const ps = (
      await c.query(
        'SELECT name, type, value, identifying FROM job_execution_param WHERE job_execution_id = $1 ORDER BY name',
        [ex.id],
      )
    ).rows;
    expect(ps).toEqual([
      { name: 'note', type: 'STRING', value: 'x', identifying: false },
      { name: 'run', type: 'NUMBER', value: '1', identifying: true },
      { name: 'when', type: 'DATE', value: '2026-01-01T00:00:00.000Z', identifying: true },
    ]);
    const inst = (await c.query('SELECT job_key FROM job_instance WHERE id = $1', [ex.instance.id])).rows[0];
    expect(inst.job_key).toBe(params.identifying().jobKey());
    await expect(
      launchJob(j, params.with('note', 'y', { identifying: false }), { repository: repo }),
    ).rejects.toBeInstanceOf(JobInstanceAlreadyCompleteError);
  });

  it('recovers an execution left STARTED by a dead process so it can restart', async () => {
    let fail = true;
    const j = job('pg-recover')
      .start(
        taskletStep('t', () => {
          if (fail) throw new Boom('x');
          return 'FINISHED';
        }),
      )
      .build();
    const ex = await launchJob(j, parameters({ n: 1 }), { repository: repo });
    expect(ex.status).toBe('FAILED');
    // Simulate a killed process: put the rows back to running.
    await repo.pool.query(`UPDATE job_execution SET status = 'STARTED', end_time = NULL WHERE id = $1`, [
      ex.id,
    ]);
    await repo.pool.query(`UPDATE step_execution SET status = 'STARTED' WHERE job_execution_id = $1`, [
      ex.id,
    ]);
    await expect(launchJob(j, parameters({ n: 1 }), { repository: repo })).rejects.toThrow(/already running/);
    await repo.pool.query(
      `INSERT INTO task_execution (task_name, updated_at) VALUES ('t', now()) RETURNING id`,
    );
    const te = (await repo.pool.query('SELECT max(id) AS id FROM task_execution')).rows[0].id as number;
    await repo.linkTaskExecution(te, ex.id);
    const r = await recoverStaleExecutions(
      repo.pool as unknown as pg.ClientBase,
      { taskExecutionId: te },
      { reason: 'OOMKilled' },
    );
    expect(r.jobExecutionIds).toEqual([ex.id]);
    expect(r.stepExecutionIds).toHaveLength(1);
    const row = (
      await repo.pool.query('SELECT status, exit_code, exit_message FROM job_execution WHERE id = $1', [
        ex.id,
      ])
    ).rows[0];
    expect(row).toMatchObject({ status: 'FAILED', exit_code: 'FAILED' });
    expect(row.exit_message).toContain('OOMKilled');
    fail = false;
    const again = await launchJob(j, parameters({ n: 1 }), { repository: repo });
    expect(again.status).toBe('COMPLETED');
    expect(
      (await recoverStaleExecutions(repo.pool as unknown as pg.ClientBase, { taskExecutionId: te }))
        .jobExecutionIds,
    ).toEqual([]);
  });
});
