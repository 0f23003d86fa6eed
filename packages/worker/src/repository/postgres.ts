import {
  DEFAULT_TABLE_PREFIXES,
  prefixedNames,
  prefixSql,
  type SpringBatchVersion,
  type SpringTablePrefixes,
} from '@batchyard/core';
import pg from 'pg';
import type { SqlClient } from '../model/api.js';
import { ExecutionContext } from '../model/context.js';
import { OptimisticLockingError } from '../model/errors.js';
import type { Clock, JobExecution, JobInstance, StepExecution } from '../model/execution.js';
import { systemClock } from '../model/execution.js';
import type { JobParameters } from '../model/parameters.js';
import type { BatchStatus } from '../model/status.js';
import { ExitStatus } from '../model/status.js';
import {
  code,
  commitStepSql,
  contextValues,
  INSERT_JOB_SQL,
  INSERT_STEP_SQL,
  LAST_JOB_SQL,
  LAST_STEP_SQL,
  message,
  parameterArrays,
  type Row,
  STALE_MARK,
  STEP_SELECT,
  toJobExecution,
  toParameters,
  toStepExecution,
  UPDATE_STEP_SQL,
  updateStepValues,
  utc,
} from './postgres-rows.js';
import type { CommitResult, JobRepository, LaunchCheck, StoredJobStatus } from './types.js';

/**
 * TIMESTAMP (without zone, OID 1114) columns hold UTC wall time: read them as UTC. Give it to a
 * pool you build yourself (`new pg.Pool({ types: springTypes })`).
 */
const TIMESTAMP_OID = 1114;
export const springTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP_OID
      ? (v: string) => new Date(`${v.replace(' ', 'T')}Z`)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PostgresJobRepositoryOptions {
  clock?: Clock;
  /** Whose job key and instance sequence new instances get (existing ones are found by either). */
  springBatchVersion?: SpringBatchVersion;
  /**
   * Spring Batch's and Spring Cloud Task's table prefixes (`spring.batch.jdbc.table-prefix`,
   * `spring.cloud.task.tablePrefix`); default Spring's `BATCH_` and `TASK_`.
   */
  tablePrefixes?: Readonly<SpringTablePrefixes>;
}

/**
 * Job repository on Spring Batch's own tables (BATCH_*, see prisma/schema.prisma), written the way
 * Spring Batch's JDBC DAOs write them, so a Java app and this worker share job instances, restarts
 * and history. `pg` directly because it is on the hot path: a chunk commit costs BEGIN, the
 * writer's statements, and ONE round trip for the step row + context + job status followed by COMMIT.
 */
export class PostgresJobRepository implements JobRepository {
  private readonly clock: Clock;
  private readonly version: SpringBatchVersion;
  private readonly prefixes: Readonly<SpringTablePrefixes>;
  private readonly names: Map<string, string>;
  private readonly statements = new Map<string, string>();

  constructor(
    readonly pool: pg.Pool,
    options: Clock | PostgresJobRepositoryOptions = {},
  ) {
    const o = typeof options === 'function' ? { clock: options } : options;
    this.clock = o.clock ?? systemClock;
    this.version = o.springBatchVersion ?? 5;
    this.prefixes = o.tablePrefixes ?? DEFAULT_TABLE_PREFIXES;
    this.names = prefixedNames(this.prefixes);
  }

  /** One of this repository's own statements (no values inside) under the configured prefixes. */
  private sql(text: string): string {
    let out = this.statements.get(text);
    if (out === undefined) {
      out = prefixSql(text, this.prefixes);
      this.statements.set(text, out);
    }
    return out;
  }

  private readonly table = (name: string): string => this.names.get(name) ?? name;

  private query<R extends pg.QueryResultRow = Row>(text: string, values: unknown[]) {
    return this.pool.query<R>(this.sql(text), values);
  }

  /** Opens a pool from a connection URL (never logged). */
  static fromUrl(
    url: string,
    options: { max?: number } & PostgresJobRepositoryOptions = {},
  ): PostgresJobRepository {
    return new PostgresJobRepository(
      new pg.Pool({ connectionString: url, max: options.max ?? 10, types: springTypes }),
      options,
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async transaction<T>(work: (tx: SqlClient | undefined) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client as unknown as SqlClient);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      );
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async createJobExecution(
    jobName: string,
    params: JobParameters,
    check: LaunchCheck,
  ): Promise<JobExecution> {
    const identifying = params.identifying();
    const jobKey = identifying.jobKey(this.version);
    // An instance a Spring Batch app of the other major version created is found by its key too.
    const keys = [identifying.jobKey(5), identifying.jobKey(6)];
    const sequence = this.version === 5 ? 'batch_job_seq' : 'batch_job_instance_seq';
    const now = this.clock();
    return this.transaction(async (tx) => {
      const c = tx as SqlClient;
      const found = this.sql(`SELECT job_instance_id, job_key FROM batch_job_instance
         WHERE job_name = $1 AND job_key = ANY($2::text[]) ORDER BY job_instance_id LIMIT 1 FOR UPDATE`);
      // The row lock serialises concurrent launches of the same instance across pods.
      let inst = (await c.query(found, [jobName, keys])).rows[0] as Row | undefined;
      if (!inst) {
        await c.query(
          this.sql(`INSERT INTO batch_job_instance (job_instance_id, job_name, job_key, version)
           VALUES (nextval('${sequence}'), $1, $2, 0) ON CONFLICT (job_name, job_key) DO NOTHING`),
          [jobName, jobKey],
        );
        inst = (await c.query(found, [jobName, keys])).rows[0] as Row;
      }
      const instance: JobInstance = {
        id: Number(inst.job_instance_id),
        jobName,
        jobKey: inst.job_key as string,
      };
      const prevRow = (await c.query(this.sql(LAST_JOB_SQL), [instance.id])).rows[0];
      const previous = prevRow ? toJobExecution(prevRow, instance) : undefined;
      check(previous);
      const context = previous ? previous.context : new ExecutionContext();
      const inserted = await c.query(this.sql(INSERT_JOB_SQL), [
        instance.id,
        utc(now),
        ...parameterArrays(params),
        ...contextValues(context),
      ]);
      const execution: JobExecution = {
        id: Number(inserted.rows[0]!.job_execution_id),
        instance,
        parameters: params,
        status: 'STARTING',
        exitStatus: ExitStatus.UNKNOWN,
        createTime: now,
        startTime: null,
        endTime: null,
        lastUpdated: now,
        version: 0,
        context: context.clone(),
        stepExecutions: [],
      };
      return execution;
    });
  }

  async updateJobExecution(e: JobExecution): Promise<void> {
    const now = this.clock();
    const r = await this.query(
      `UPDATE batch_job_execution SET start_time = $6::timestamp, end_time = $7::timestamp, status = $3,
         exit_code = $4, exit_message = $5, version = version + 1, last_updated = $8::timestamp
       WHERE job_execution_id = $1 AND version = $2`,
      [
        e.id,
        e.version,
        e.status,
        code(e.exitStatus),
        message(e.exitStatus.description),
        utc(e.startTime),
        utc(e.endTime),
        utc(now),
      ],
    );
    if (r.rowCount !== 1)
      throw new OptimisticLockingError(`job execution ${e.id} version ${e.version} is stale`);
    e.version++;
    e.lastUpdated = now;
  }

  async updateJobContext(e: JobExecution): Promise<void> {
    await this.query(
      'UPDATE batch_job_execution_context SET short_context = $2, serialized_context = $3 WHERE job_execution_id = $1',
      [e.id, ...contextValues(e.context)],
    );
    e.context.clearDirty();
  }

  async getJobStatus(jobExecutionId: number): Promise<StoredJobStatus> {
    const r = await this.query(
      'SELECT status, version FROM batch_job_execution WHERE job_execution_id = $1',
      [jobExecutionId],
    );
    const row = r.rows[0] as Row | undefined;
    return {
      status: (row?.status as BatchStatus | undefined) ?? 'UNKNOWN',
      version: row ? Number(row.version) : -1,
    };
  }

  async getJobExecution(id: number): Promise<JobExecution | undefined> {
    return this.jobExecutionWhere('je.job_execution_id = $1', [id]);
  }

  async getLastJobExecution(jobName: string): Promise<JobExecution | undefined> {
    return this.jobExecutionWhere(
      `je.job_execution_id = (SELECT max(e.job_execution_id) FROM batch_job_execution e
         JOIN batch_job_instance ji ON ji.job_instance_id = e.job_instance_id WHERE ji.job_name = $1)`,
      [jobName],
    );
  }

  private async jobExecutionWhere(condition: string, values: unknown[]): Promise<JobExecution | undefined> {
    const r = await this.query(
      `SELECT je.*, c.short_context, c.serialized_context, i.job_name, i.job_key FROM batch_job_execution je
       JOIN batch_job_instance i ON i.job_instance_id = je.job_instance_id
       LEFT JOIN batch_job_execution_context c ON c.job_execution_id = je.job_execution_id WHERE ${condition}`,
      values,
    );
    const row = r.rows[0] as Row | undefined;
    if (!row) return undefined;
    const instance: JobInstance = {
      id: Number(row.job_instance_id),
      jobName: row.job_name as string,
      jobKey: row.job_key as string,
    };
    const params = await this.query(
      `SELECT parameter_name AS name, parameter_type AS type, parameter_value AS value, identifying
         FROM batch_job_execution_params WHERE job_execution_id = $1`,
      [row.job_execution_id],
    );
    return { ...toJobExecution(row, instance), parameters: toParameters(params.rows as Row[]) };
  }

  async getStepExecution(id: number): Promise<StepExecution | undefined> {
    const r = await this.query(`${STEP_SELECT} WHERE se.step_execution_id = $1`, [id]);
    return r.rows[0] ? toStepExecution(r.rows[0] as Row) : undefined;
  }

  async getLastStepExecution(instance: JobInstance, stepName: string): Promise<StepExecution | undefined> {
    const r = await this.query(LAST_STEP_SQL, [instance.id, stepName]);
    return r.rows[0] ? toStepExecution(r.rows[0] as Row) : undefined;
  }

  async countStepExecutions(instance: JobInstance, stepName: string): Promise<number> {
    const r = await this.query(
      `SELECT count(*)::int AS n FROM batch_step_execution se
         JOIN batch_job_execution je ON je.job_execution_id = se.job_execution_id
       WHERE je.job_instance_id = $1 AND se.step_name = $2`,
      [instance.id, stepName],
    );
    return r.rows[0].n as number;
  }

  async addStepExecution(se: StepExecution): Promise<void> {
    const r = await this.query(INSERT_STEP_SQL, [
      se.jobExecutionId,
      se.stepName,
      se.status,
      code(se.exitStatus),
      utc(se.createTime),
      utc(se.startTime),
      ...contextValues(se.context),
    ]);
    se.id = Number(r.rows[0].step_execution_id);
    se.version = 0;
    se.context.clearDirty();
  }

  async updateStepExecution(se: StepExecution): Promise<void> {
    await this.updateStep(this.pool, se);
  }

  private async updateStep(client: pg.Pool | SqlClient, se: StepExecution): Promise<CommitResult> {
    const now = this.clock();
    const r = await client.query(this.sql(UPDATE_STEP_SQL), updateStepValues(se, now));
    const row = r.rows[0] as Row | undefined;
    if (!row) throw new OptimisticLockingError(`step execution ${se.id} version ${se.version} is stale`);
    se.version++;
    se.lastUpdated = now;
    se.context.clearDirty();
    return { status: row.status as BatchStatus, version: Number(row.version) };
  }

  async commitChunk(
    se: StepExecution,
    work: (tx: SqlClient | undefined) => Promise<void>,
  ): Promise<CommitResult> {
    const version = se.version;
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await work(client as unknown as SqlClient);
      const now = this.clock();
      // UPDATE + COMMIT in one round trip (see commitStepSql): BEGIN, the writer, this = 2 + writes.
      const results = (await client.query(
        commitStepSql(se, now, (v) => client.escapeLiteral(v), this.table),
      )) as unknown as pg.QueryResult[];
      const row = results[0]?.rows[0] as Row | undefined;
      se.version++;
      se.lastUpdated = now;
      se.context.clearDirty();
      return { status: row?.status as BatchStatus, version: Number(row?.version) };
    } catch (error) {
      broken = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      );
      // Nothing was committed: put the version back. The caller restores the counters and the
      // context it had before the chunk.
      se.version = version;
      if (String((error as Error).message).includes(STALE_MARK)) {
        throw new OptimisticLockingError(`step execution ${se.id} version ${version} is stale`);
      }
      throw error;
    } finally {
      // A connection that cannot even roll back is destroyed rather than returned to the pool.
      client.release(broken);
    }
  }

  /**
   * The task execution the control plane recorded (or adopted) for a platform resource, waiting up
   * to `waitMs` for the adoption to land: the pod can start before the reconciler saw its Job.
   */
  async findTaskExecutionId(externalId: string, waitMs = 30_000, pollMs = 500): Promise<number | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const r = await this.query<{ id: number }>(
        'SELECT id FROM batchyard_task_execution WHERE external_execution_id = $1',
        [externalId],
      );
      if (r.rows[0]) return r.rows[0].id;
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Spring Cloud Task's TASK_TASK_BATCH, as its TaskBatchExecutionListener writes it. */
  async linkTaskExecution(taskExecutionId: number, jobExecutionId: number): Promise<boolean> {
    const r = await this.query(
      `INSERT INTO task_task_batch (task_execution_id, job_execution_id)
       SELECT task_execution_id, $2 FROM task_execution WHERE task_execution_id = $1
       ON CONFLICT DO NOTHING RETURNING task_execution_id`,
      [taskExecutionId, jobExecutionId],
    );
    if (r.rowCount === 1) return true;
    const exists = await this.query('SELECT 1 FROM task_execution WHERE task_execution_id = $1', [
      taskExecutionId,
    ]);
    return exists.rowCount === 1;
  }

  /** TASK_EXECUTION.EXIT_MESSAGE only: the control plane alone owns the task's status. */
  async setTaskExitMessage(taskExecutionId: number, text: string): Promise<void> {
    await this.query(
      'UPDATE task_execution SET exit_message = $2, last_updated = $3::timestamp WHERE task_execution_id = $1',
      [taskExecutionId, message(text), utc(this.clock())],
    );
  }
}
