import pg from 'pg';
import type { SqlClient } from '../model/api.js';
import { ExecutionContext } from '../model/context.js';
import { OptimisticLockingError } from '../model/errors.js';
import type { Clock, JobExecution, JobInstance, StepExecution } from '../model/execution.js';
import { systemClock } from '../model/execution.js';
import type { JobParameters } from '../model/parameters.js';
import { encodeValue } from '../model/parameters.js';
import type { BatchStatus } from '../model/status.js';
import { ExitStatus } from '../model/status.js';
import {
  code,
  commitStepSql,
  INSERT_JOB_SQL,
  INSERT_STEP_SQL,
  LAST_JOB_SQL,
  LAST_STEP_SQL,
  type Row,
  STALE_MARK,
  toJobExecution,
  toParameters,
  toStepExecution,
  UPDATE_STEP_SQL,
  updateStepValues,
} from './postgres-rows.js';
import type { CommitResult, JobRepository, LaunchCheck, StoredJobStatus } from './types.js';

/**
 * Job repository on the control plane's Postgres schema (prisma/schema.prisma), with `pg` directly
 * because it is on the hot path: a chunk commit costs BEGIN, the writer's statements, and ONE
 * round trip for the step row + context + job status followed by COMMIT.
 */
export class PostgresJobRepository implements JobRepository {
  constructor(
    readonly pool: pg.Pool,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Opens a pool from a connection URL (never logged). */
  static fromUrl(url: string, options: { max?: number; clock?: Clock } = {}): PostgresJobRepository {
    return new PostgresJobRepository(
      new pg.Pool({ connectionString: url, max: options.max ?? 10 }),
      options.clock,
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
    const jobKey = params.identifying().jobKey();
    const now = this.clock();
    return this.transaction(async (tx) => {
      const c = tx as SqlClient;
      await c.query(
        'INSERT INTO job_instance (job_name, job_key) VALUES ($1, $2) ON CONFLICT (job_name, job_key) DO NOTHING',
        [jobName, jobKey],
      );
      // The row lock serialises concurrent launches of the same instance across pods.
      const inst = await c.query(
        'SELECT id FROM job_instance WHERE job_name = $1 AND job_key = $2 FOR UPDATE',
        [jobName, jobKey],
      );
      const instance: JobInstance = { id: inst.rows[0]!.id as number, jobName, jobKey };
      const prevRow = (await c.query(LAST_JOB_SQL, [instance.id])).rows[0];
      const previous = prevRow ? toJobExecution(prevRow, instance) : undefined;
      check(previous);
      const entries = [...params];
      const context = previous ? previous.context : new ExecutionContext();
      const inserted = await c.query(INSERT_JOB_SQL, [
        instance.id,
        now,
        entries.map(([n]) => n),
        entries.map(([, p]) => p.type),
        entries.map(([, p]) => encodeValue(p.value)),
        entries.map(([, p]) => p.identifying),
        JSON.stringify(context.toJSON()),
      ]);
      const execution: JobExecution = {
        id: inserted.rows[0]!.id as number,
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
    const r = await this.pool.query(
      `UPDATE job_execution SET status = $3::batch_status, exit_code = $4, exit_message = $5,
         start_time = $6, end_time = $7, last_updated = $8, version = version + 1
       WHERE id = $1 AND version = $2`,
      [e.id, e.version, e.status, code(e.exitStatus), e.exitStatus.description, e.startTime, e.endTime, now],
    );
    if (r.rowCount !== 1)
      throw new OptimisticLockingError(`job execution ${e.id} version ${e.version} is stale`);
    e.version++;
    e.lastUpdated = now;
  }

  async updateJobContext(e: JobExecution): Promise<void> {
    await this.pool.query(
      'UPDATE job_execution_context SET context = $2::jsonb WHERE job_execution_id = $1',
      [e.id, JSON.stringify(e.context.toJSON())],
    );
    e.context.clearDirty();
  }

  async getJobStatus(jobExecutionId: number): Promise<StoredJobStatus> {
    const r = await this.pool.query('SELECT status, version FROM job_execution WHERE id = $1', [
      jobExecutionId,
    ]);
    const row = r.rows[0] as Row | undefined;
    return { status: (row?.status as BatchStatus) ?? 'UNKNOWN', version: (row?.version as number) ?? -1 };
  }

  async getJobExecution(id: number): Promise<JobExecution | undefined> {
    const r = await this.pool.query(
      `SELECT je.*, c.context, i.job_name, i.job_key FROM job_execution je
       JOIN job_instance i ON i.id = je.job_instance_id
       LEFT JOIN job_execution_context c ON c.job_execution_id = je.id WHERE je.id = $1`,
      [id],
    );
    const row = r.rows[0] as Row | undefined;
    if (!row) return undefined;
    const instance: JobInstance = {
      id: row.job_instance_id as number,
      jobName: row.job_name as string,
      jobKey: row.job_key as string,
    };
    const params = await this.pool.query(
      'SELECT name, type, value, identifying FROM job_execution_param WHERE job_execution_id = $1',
      [id],
    );
    return { ...toJobExecution(row, instance), parameters: toParameters(params.rows as Row[]) };
  }

  async getStepExecution(id: number): Promise<StepExecution | undefined> {
    const r = await this.pool.query(
      `SELECT se.*, c.context FROM step_execution se
       LEFT JOIN step_execution_context c ON c.step_execution_id = se.id WHERE se.id = $1`,
      [id],
    );
    return r.rows[0] ? toStepExecution(r.rows[0] as Row) : undefined;
  }

  async getLastStepExecution(instance: JobInstance, stepName: string): Promise<StepExecution | undefined> {
    const r = await this.pool.query(LAST_STEP_SQL, [instance.id, stepName]);
    return r.rows[0] ? toStepExecution(r.rows[0] as Row) : undefined;
  }

  async countStepExecutions(instance: JobInstance, stepName: string): Promise<number> {
    const r = await this.pool.query(
      `SELECT count(*)::int AS n FROM step_execution se JOIN job_execution je ON je.id = se.job_execution_id
       WHERE je.job_instance_id = $1 AND se.step_name = $2`,
      [instance.id, stepName],
    );
    return r.rows[0].n as number;
  }

  async addStepExecution(se: StepExecution): Promise<void> {
    const r = await this.pool.query(INSERT_STEP_SQL, [
      se.jobExecutionId,
      se.jobName,
      se.stepName,
      se.status,
      code(se.exitStatus),
      se.createTime,
      JSON.stringify(se.context.toJSON()),
    ]);
    se.id = r.rows[0].id as number;
    se.version = 0;
    se.context.clearDirty();
  }

  async updateStepExecution(se: StepExecution): Promise<void> {
    await this.updateStep(this.pool, se);
  }

  private async updateStep(client: pg.Pool | SqlClient, se: StepExecution): Promise<CommitResult> {
    const now = this.clock();
    const r = await client.query(UPDATE_STEP_SQL, updateStepValues(se, now));
    const row = r.rows[0] as Row | undefined;
    if (!row) throw new OptimisticLockingError(`step execution ${se.id} version ${se.version} is stale`);
    se.version++;
    se.lastUpdated = now;
    se.context.clearDirty();
    return { status: row.status as BatchStatus, version: row.version as number };
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
        commitStepSql(se, now, (v) => client.escapeLiteral(v)),
      )) as unknown as pg.QueryResult[];
      const row = results[0]?.rows[0] as Row | undefined;
      se.version++;
      se.lastUpdated = now;
      se.context.clearDirty();
      return { status: row?.status as BatchStatus, version: row?.version as number };
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
      const r = await this.pool.query<{ id: number }>(
        'SELECT id FROM task_execution WHERE external_execution_id = $1',
        [externalId],
      );
      if (r.rows[0]) return r.rows[0].id;
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async linkTaskExecution(taskExecutionId: number, jobExecutionId: number): Promise<boolean> {
    const exists = await this.pool.query('SELECT 1 FROM task_execution WHERE id = $1', [taskExecutionId]);
    if (exists.rowCount === 0) return false;
    await this.pool.query(
      'INSERT INTO task_batch (task_execution_id, job_execution_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [taskExecutionId, jobExecutionId],
    );
    return true;
  }

  async setTaskExitMessage(taskExecutionId: number, message: string): Promise<void> {
    await this.pool.query('UPDATE task_execution SET exit_message = $2, updated_at = $3 WHERE id = $1', [
      taskExecutionId,
      message,
      this.clock(),
    ]);
  }
}
