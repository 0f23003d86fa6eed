import pg from 'pg';

/**
 * History written straight into the database, as a long-running installation would have it: each
 * task execution with Spring Cloud Task's rows (params, TASK_TASK_BATCH) and one job execution on
 * its own job instance (params, context) with `steps` step executions (and their contexts).
 */
export interface SeedOptions {
  task: string;
  count: number;
  /** The executions ended this many days ago (null: no end, e.g. a RUNNING one). */
  endedDaysAgo: number | null;
  status?: string;
  steps?: number;
  parentId?: number;
}

export async function seedHistory(url: string, o: SeedOptions): Promise<number[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query(
      `CREATE TEMP TABLE seed ON COMMIT DROP AS
         SELECT g, nextval('task_seq')::int AS tid, nextval('batch_job_instance_seq') AS jiid,
                nextval('batch_job_execution_seq') AS jeid,
                CASE WHEN $2::float8 IS NULL THEN NULL ELSE now() - make_interval(secs => $2::float8 * 86400 + g) END AS ended
           FROM generate_series(1, $1::int) g`,
      [o.count, o.endedDaysAgo],
    );
    const status = o.status ?? 'COMPLETE';
    const batch = status === 'COMPLETE' ? 'COMPLETED' : status === 'FAILED' ? 'FAILED' : 'STARTED';
    await c.query(
      `INSERT INTO batchyard_task_execution (id, task_name, status, arguments, properties, parent_execution_id,
                                             start_time, end_time, created_at, updated_at)
       SELECT tid, $1, $2::task_execution_status, '["--run=1"]', '{"app.x.mode":"fast"}', $3,
              coalesce(ended, now()) - interval '1 minute', ended, coalesce(ended, now()) - interval '2 minutes', now()
         FROM seed`,
      [o.task, status, o.parentId ?? null],
    );
    await c.query(
      `INSERT INTO task_execution (task_execution_id, task_name, start_time, end_time, last_updated, parent_execution_id)
       SELECT tid, $1, (coalesce(ended, now()) - interval '1 minute') AT TIME ZONE 'UTC', ended AT TIME ZONE 'UTC', now(), $2 FROM seed`,
      [o.task, o.parentId ?? null],
    );
    await c.query(`INSERT INTO task_execution_params SELECT tid, '--run=1' FROM seed`);
    await c.query(`INSERT INTO batch_job_instance SELECT jiid, 0, $1, md5(jiid::text) FROM seed`, [
      `${o.task}-job`,
    ]);
    await c.query(
      `INSERT INTO batch_job_execution (job_execution_id, version, job_instance_id, create_time, start_time, end_time,
                                        status, exit_code, exit_message, last_updated)
       SELECT jeid, 1, jiid, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', ended AT TIME ZONE 'UTC', $1, $1, '', now() FROM seed`,
      [batch],
    );
    await c.query(
      `INSERT INTO batch_job_execution_params SELECT jeid, 'run.id', 'java.lang.Long', g::text, 'Y' FROM seed`,
    );
    await c.query(`INSERT INTO batch_job_execution_context SELECT jeid, '{}', NULL FROM seed`);
    await c.query(`INSERT INTO task_task_batch SELECT tid, jeid FROM seed`);
    await c.query(
      `WITH s AS (
         INSERT INTO batch_step_execution (step_execution_id, version, step_name, job_execution_id, create_time,
                                           start_time, end_time, status, read_count, write_count, commit_count)
         SELECT nextval('batch_step_execution_seq'), 1, 'step' || k, jeid, now() AT TIME ZONE 'UTC',
                now() AT TIME ZONE 'UTC', ended AT TIME ZONE 'UTC', $1, 10, 10, 1
           FROM seed, generate_series(1, $2::int) k
         RETURNING step_execution_id)
       INSERT INTO batch_step_execution_context SELECT step_execution_id, '{}', NULL FROM s`,
      [batch, o.steps ?? 2],
    );
    const { rows } = await c.query<{ tid: number }>('SELECT tid FROM seed ORDER BY g');
    await c.query('COMMIT');
    return rows.map((r) => r.tid);
  } finally {
    await c.end();
  }
}

/** Row counts of every table retention touches. */
export async function historyCounts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = [
      'batchyard_task_execution',
      'task_execution',
      'task_execution_params',
      'task_task_batch',
      'batch_job_instance',
      'batch_job_execution',
      'batch_job_execution_params',
      'batch_job_execution_context',
      'batch_step_execution',
      'batch_step_execution_context',
    ];
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    return out;
  } finally {
    await c.end();
  }
}

export async function existingIds(url: string, ids: number[]): Promise<number[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ id: number }>(
      'SELECT id FROM batchyard_task_execution WHERE id = ANY($1::int[]) ORDER BY id',
      [ids],
    );
    return rows.map((r) => r.id);
  } finally {
    await c.end();
  }
}

export async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}
