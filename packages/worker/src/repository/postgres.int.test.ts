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
    const step = (
      await c.query(
        `SELECT se.*, i.job_name FROM batch_step_execution se
           JOIN batch_job_execution je ON je.job_execution_id = se.job_execution_id
           JOIN batch_job_instance i ON i.job_instance_id = je.job_instance_id
          WHERE se.job_execution_id = $1`,
        [ex.id],
      )
    ).rows[0];
    expect(step).toMatchObject({
      job_name: 'pg-basic',
      status: 'COMPLETED',
      read_count: '5',
      write_count: '5',
      commit_count: '3',
    });
    const ctx = (
      await c.query(
        'SELECT short_context, serialized_context FROM batch_step_execution_context WHERE step_execution_id = $1',
        [step.step_execution_id],
      )
    ).rows[0];
    expect(ctx).toEqual({
      short_context: '{"@class":"java.util.HashMap","iterableReader.read.count":5}',
      serialized_context: null,
    });
    const ps = (
      await c.query(
        `SELECT parameter_name, parameter_type, parameter_value, identifying FROM batch_job_execution_params
          WHERE job_execution_id = $1 ORDER BY parameter_name`,
        [ex.id],
      )
    ).rows;
    expect(ps).toEqual([
      { parameter_name: 'note', parameter_type: 'java.lang.String', parameter_value: 'x', identifying: 'N' },
      { parameter_name: 'run', parameter_type: 'java.lang.Long', parameter_value: '1', identifying: 'Y' },
      {
        parameter_name: 'when',
        parameter_type: 'java.util.Date',
        parameter_value: '2026-01-01T00:00:00Z',
        identifying: 'Y',
      },
    ]);
    const inst = (
      await c.query('SELECT job_key FROM batch_job_instance WHERE job_instance_id = $1', [ex.instance.id])
    ).rows[0];
    expect(inst.job_key).toBe(params.identifying().jobKey(5));
    const read = await repo.getJobExecution(ex.id);
    expect([...(read?.parameters ?? [])]).toEqual([...params]);
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
    await repo.pool.query(
      `UPDATE batch_job_execution SET status = 'STARTED', end_time = NULL WHERE job_execution_id = $1`,
      [ex.id],
    );
    await repo.pool.query(`UPDATE batch_step_execution SET status = 'STARTED' WHERE job_execution_id = $1`, [
      ex.id,
    ]);
    await expect(launchJob(j, parameters({ n: 1 }), { repository: repo })).rejects.toThrow(/already running/);
    const te = Number(
      (
        await repo.pool.query(
          `INSERT INTO task_execution (task_execution_id, task_name) VALUES (nextval('task_seq'), 't')
           RETURNING task_execution_id`,
        )
      ).rows[0].task_execution_id,
    );
    expect(await repo.linkTaskExecution(te, ex.id)).toBe(true);
    expect(await repo.linkTaskExecution(te + 1000, ex.id)).toBe(false);
    const r = await recoverStaleExecutions(
      repo.pool as unknown as pg.ClientBase,
      { taskExecutionId: te },
      { reason: 'OOMKilled' },
    );
    expect(r.jobExecutionIds).toEqual([ex.id]);
    expect(r.stepExecutionIds).toHaveLength(1);
    const row = (
      await repo.pool.query(
        'SELECT status, exit_code, exit_message FROM batch_job_execution WHERE job_execution_id = $1',
        [ex.id],
      )
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
