import { createHash } from 'node:crypto';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, migrate } from './migrator.js';

/**
 * A database holding data in the schema before Spring's tables (Batchyard's own job repository)
 * is migrated: every row arrives in Spring Batch's and Spring Cloud Task's tables, in their formats,
 * and the sequences continue after the moved ids.
 */

const SPRING = '20261202160000_spring_schema';
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

describe(`migration ${SPRING}`, () => {
  let db: TestDatabase;
  let c: pg.Client;
  const q = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
    (await c.query<T>(sql, values)).rows;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    const before = await mkdtemp(join(tmpdir(), 'migrations-before-'));
    for (const m of await loadMigrations()) {
      if (m.name >= SPRING) break;
      await cp(join(DEFAULT_MIGRATIONS_DIR, m.name), join(before, m.name), { recursive: true });
    }
    await migrate(db.url, before);
    c = new pg.Client({ connectionString: db.url });
    await c.connect();
    // The previous schema, with a parent and a child task execution, one job instance run twice
    // (a failure and its restart), parameters of every type, and a context too long to stay short.
    await c.query(`
      INSERT INTO task_execution (id, task_name, status, arguments, platform_name, platform_type,
                                  external_execution_id, exit_code, exit_message, start_time, end_time, updated_at)
      VALUES (7, 'etl', 'COMPLETE', '["--rows=5", "run.id=3"]', 'local', 'local', 'etl-7', 0, 'COMPLETED',
              '2026-11-30T10:00:00Z', '2026-11-30T10:05:00Z', '2026-11-30T10:05:00Z');
      INSERT INTO task_execution (id, task_name, status, parent_execution_id, updated_at, error_message)
      VALUES (8, 'etl-child', 'FAILED', 7, now(), 'boom');
      INSERT INTO job_instance (id, job_name, job_key, version) VALUES (3, 'settle', repeat('a', 64), 0);
      INSERT INTO job_instance (id, job_name, job_key, version) VALUES (4, 'empty', repeat('b', 64), 0);
      INSERT INTO job_execution (id, job_instance_id, version, status, exit_code, exit_message, create_time,
                                 start_time, end_time, last_updated)
      VALUES (10, 3, 4, 'FAILED', 'FAILED', 'java.lang.IllegalStateException: bad row', '2026-11-30T10:00:00Z',
              '2026-11-30T10:00:01Z', '2026-11-30T10:01:00Z', '2026-11-30T10:01:00Z'),
             (11, 3, 3, 'COMPLETED', 'COMPLETED', '', '2026-11-30T10:02:00Z', '2026-11-30T10:02:01Z',
              '2026-11-30T10:05:00Z', '2026-11-30T10:05:00Z');
      INSERT INTO job_execution_param (job_execution_id, name, type, value, identifying)
      SELECT e, n, t::job_parameter_type, v, i FROM (VALUES
        ('rows', 'NUMBER', '5', true), ('ratio', 'NUMBER', '0.25', true), ('input', 'STRING', '/data/a.csv', true),
        ('dry', 'BOOLEAN', 'false', true), ('day', 'DATE', '2026-11-30T00:00:00.000Z', true),
        ('at', 'DATE', '2026-11-30T10:00:00.250Z', false)) AS p(n, t, v, i), (VALUES (10), (11)) AS x(e);
      INSERT INTO step_execution (id, job_execution_id, job_name, step_name, version, status, commit_count, read_count,
                                  filter_count, write_count, read_skip_count, write_skip_count, process_skip_count,
                                  rollback_count, exit_code, exit_message, create_time, start_time, end_time, last_updated)
      VALUES (20, 10, 'settle', 'load', 5, 'FAILED', 3, 30, 1, 29, 2, 1, 1, 1, 'FAILED', 'bad row',
              '2026-11-30T10:00:01Z', '2026-11-30T10:00:01Z', '2026-11-30T10:01:00Z', '2026-11-30T10:01:00Z'),
             (21, 11, 'settle', 'load', 9, 'COMPLETED', 7, 70, 0, 70, 0, 0, 0, 0, 'COMPLETED', '',
              '2026-11-30T10:02:01Z', '2026-11-30T10:02:01Z', '2026-11-30T10:05:00Z', '2026-11-30T10:05:00Z');
      INSERT INTO job_execution_context (job_execution_id, context)
      VALUES (10, '{"batch.restart": true, "big": 3000000000, "list": [1, "two"], "nested": {"k": 1.5}}'),
             (11, jsonb_build_object('long', repeat('x', 3000)));
      INSERT INTO step_execution_context (step_execution_id, context)
      VALUES (20, '{"reader.offset": 30}'), (21, '{}');
      INSERT INTO task_batch (task_execution_id, job_execution_id) VALUES (7, 10), (7, 11);
    `);
    await c.end();
    // The spring schema first; migrations after it apply too.
    expect((await migrate(db.url)).applied[0]).toBe(SPRING);
    c = new pg.Client({ connectionString: db.url });
    await c.connect();
  });
  afterAll(async () => {
    await c.end();
    await db.drop();
  });

  it('keeps Batchyard task executions under the same ids, each with its TASK_EXECUTION row and arguments', async () => {
    expect(await q('SELECT id, task_name, status FROM batchyard_task_execution ORDER BY id')).toEqual([
      { id: 7, task_name: 'etl', status: 'COMPLETE' },
      { id: 8, task_name: 'etl-child', status: 'FAILED' },
    ]);
    const rows = await q(
      `SELECT task_execution_id::int AS id, task_name, exit_code, exit_message, error_message,
              to_char(start_time, 'YYYY-MM-DD HH24:MI:SS') AS start_time, external_execution_id,
              parent_execution_id::int AS parent FROM task_execution ORDER BY 1`,
    );
    expect(rows).toEqual([
      {
        id: 7,
        task_name: 'etl',
        exit_code: 0,
        exit_message: 'COMPLETED',
        error_message: null,
        start_time: '2026-11-30 10:00:00',
        external_execution_id: 'etl-7',
        parent: null,
      },
      {
        id: 8,
        task_name: 'etl-child',
        exit_code: null,
        exit_message: null,
        error_message: 'boom',
        start_time: null,
        external_execution_id: null,
        parent: 7,
      },
    ]);
    expect(await q('SELECT task_param FROM task_execution_params WHERE task_execution_id = 7')).toEqual([
      { task_param: '--rows=5' },
      { task_param: 'run.id=3' },
    ]);
    expect(await q("SELECT nextval('task_seq')::int AS n")).toEqual([{ n: 9 }]);
  });

  it('gives the job instance Spring Batch 5 job key of its identifying parameters', async () => {
    const key = md5(
      'day={value=Mon Nov 30 00:00:00 UTC 2026, type=class java.util.Date, identifying=true};' +
        'dry={value=false, type=class java.lang.Boolean, identifying=true};' +
        'input={value=/data/a.csv, type=class java.lang.String, identifying=true};' +
        'ratio={value=0.25, type=class java.lang.Double, identifying=true};' +
        'rows={value=5, type=class java.lang.Long, identifying=true};',
    );
    expect(
      await q(
        'SELECT job_instance_id::int AS id, job_name, job_key, version::int AS v FROM batch_job_instance ORDER BY 1',
      ),
    ).toEqual([
      { id: 3, job_name: 'settle', job_key: key, v: 0 },
      // No execution to recompute from: the old key, cut to Spring's 32 characters.
      { id: 4, job_name: 'empty', job_key: 'b'.repeat(32), v: 0 },
    ]);
  });

  it("moves job executions with their status, times, exit status and Spring Batch 5's parameters", async () => {
    expect(
      await q(`SELECT job_execution_id::int AS id, job_instance_id::int AS inst, version::int AS v, status, exit_code,
                      exit_message, to_char(start_time, 'HH24:MI:SS') AS start, to_char(end_time, 'HH24:MI:SS') AS end
                 FROM batch_job_execution ORDER BY 1`),
    ).toEqual([
      {
        id: 10,
        inst: 3,
        v: 4,
        status: 'FAILED',
        exit_code: 'FAILED',
        exit_message: 'java.lang.IllegalStateException: bad row',
        start: '10:00:01',
        end: '10:01:00',
      },
      {
        id: 11,
        inst: 3,
        v: 3,
        status: 'COMPLETED',
        exit_code: 'COMPLETED',
        exit_message: '',
        start: '10:02:01',
        end: '10:05:00',
      },
    ]);
    expect(
      await q(`SELECT parameter_name, parameter_type, parameter_value, identifying FROM batch_job_execution_params
                WHERE job_execution_id = 11 ORDER BY parameter_name`),
    ).toEqual([
      {
        parameter_name: 'at',
        parameter_type: 'java.util.Date',
        parameter_value: '2026-11-30T10:00:00.250Z',
        identifying: 'N',
      },
      {
        parameter_name: 'day',
        parameter_type: 'java.util.Date',
        parameter_value: '2026-11-30T00:00:00Z',
        identifying: 'Y',
      },
      {
        parameter_name: 'dry',
        parameter_type: 'java.lang.Boolean',
        parameter_value: 'false',
        identifying: 'Y',
      },
      {
        parameter_name: 'input',
        parameter_type: 'java.lang.String',
        parameter_value: '/data/a.csv',
        identifying: 'Y',
      },
      {
        parameter_name: 'ratio',
        parameter_type: 'java.lang.Double',
        parameter_value: '0.25',
        identifying: 'Y',
      },
      { parameter_name: 'rows', parameter_type: 'java.lang.Long', parameter_value: '5', identifying: 'Y' },
    ]);
    expect(await q('SELECT count(*)::int AS n FROM batch_job_execution_params')).toEqual([{ n: 12 }]);
  });

  it('moves step executions with every counter', async () => {
    expect(
      await q(`SELECT step_execution_id::int AS id, job_execution_id::int AS je, step_name, version::int AS v, status,
                      commit_count::int AS commits, read_count::int AS reads, filter_count::int AS filters,
                      write_count::int AS writes, read_skip_count::int AS rs, write_skip_count::int AS ws,
                      process_skip_count::int AS ps, rollback_count::int AS rb, exit_code, exit_message
                 FROM batch_step_execution ORDER BY 1`),
    ).toEqual([
      {
        id: 20,
        je: 10,
        step_name: 'load',
        v: 5,
        status: 'FAILED',
        commits: 3,
        reads: 30,
        filters: 1,
        writes: 29,
        rs: 2,
        ws: 1,
        ps: 1,
        rb: 1,
        exit_code: 'FAILED',
        exit_message: 'bad row',
      },
      {
        id: 21,
        je: 11,
        step_name: 'load',
        v: 9,
        status: 'COMPLETED',
        commits: 7,
        reads: 70,
        filters: 0,
        writes: 70,
        rs: 0,
        ws: 0,
        ps: 0,
        rb: 0,
        exit_code: 'COMPLETED',
        exit_message: '',
      },
    ]);
  });

  it("writes contexts in the Jackson serializer's format, long ones split as Spring does", async () => {
    const job = await q<{ id: number; short_context: string; serialized_context: string | null }>(
      'SELECT job_execution_id::int AS id, short_context, serialized_context FROM batch_job_execution_context ORDER BY 1',
    );
    expect(JSON.parse(job[0]!.short_context)).toEqual({
      '@class': 'java.util.HashMap',
      'batch.restart': true,
      big: ['java.lang.Long', 3000000000],
      list: ['java.util.ArrayList', [1, 'two']],
      nested: { '@class': 'java.util.HashMap', k: 1.5 },
    });
    expect(job[0]!.serialized_context).toBeNull();
    const long = `{"@class":"java.util.HashMap","long":"${'x'.repeat(3000)}"}`;
    expect(job[1]!.serialized_context).toBe(long);
    expect(job[1]!.short_context).toBe(`${long.slice(0, 2492)} ...`);
    expect(
      await q(
        'SELECT step_execution_id::int AS id, short_context FROM batch_step_execution_context ORDER BY 1',
      ),
    ).toEqual([
      { id: 20, short_context: '{"@class":"java.util.HashMap","reader.offset":30}' },
      { id: 21, short_context: '{"@class":"java.util.HashMap"}' },
    ]);
  });

  it('links the task to its job executions in TASK_TASK_BATCH and drops the old tables', async () => {
    expect(
      await q(
        'SELECT task_execution_id::int AS t, job_execution_id::int AS j FROM task_task_batch ORDER BY 2',
      ),
    ).toEqual([
      { t: 7, j: 10 },
      { t: 7, j: 11 },
    ]);
    const old = await q<{ t: string | null }>(
      `SELECT to_regclass(n) AS t FROM unnest(array['job_instance', 'job_execution', 'job_execution_param',
         'step_execution', 'job_execution_context', 'step_execution_context', 'task_batch']) AS n`,
    );
    expect(old.every((r) => r.t === null)).toBe(true);
  });

  it('continues the sequences after the moved ids; job instance ids interleave for Batch 5 and 6', async () => {
    const [r] = await q(
      `SELECT nextval('batch_job_execution_seq')::int AS je, nextval('batch_step_execution_seq')::int AS se,
              nextval('batch_job_instance_seq')::int AS i6, nextval('batch_job_seq')::int AS i5,
              nextval('batch_job_instance_seq')::int AS i6b, nextval('batch_job_seq')::int AS i5b`,
    );
    expect(r).toEqual({ je: 12, se: 22, i6: 5, i5: 6, i6b: 7, i5b: 8 });
  });
});
