import {
  ApiError,
  type BatchStatus,
  badCursor,
  decodeCursor,
  encodeCursor,
  estimateProgress,
  type JobExecution,
  type JobExecutionDetail,
  type JobInstance,
  type ListJobExecutionsQuery,
  type ListJobInstancesQuery,
  notFound,
  type Page,
  redactJson,
  redactValue,
  type StepExecution,
  type StepExecutionHistory,
  type StepProgress,
  type TaskExecution,
} from '@batchyard/core';
import { audit, batch, type Db, executions, monitoring } from '@batchyard/db';
import type { IdempotencyClaim } from '../idempotency/claim.js';
import type { Launcher } from './launcher.js';

type Summary = batch.JobExecutionRow;
type Step = batch.StepExecutionRow;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
/** An execution context as served: an object, with secret-looking values masked. */
const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (redactJson(v) as Record<string, unknown>) : {};

function cursorId(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  const key = decodeCursor(cursor);
  if (!key || typeof key[0] !== 'number') {
    throw badCursor();
  }
  return key[0];
}

/**
 * Spring Batch's operator rules (SCDF's JobExecutionResource): a running execution may be
 * stopped; a FAILED or STOPPED one may be abandoned, and restarted when it is the newest of its
 * instance (an older attempt is history) and a task execution ran it (the restart relaunches it).
 */
export function toJobExecutionDto(row: Summary, latestId: number | undefined): JobExecution {
  const status = row.status as BatchStatus;
  const taskExecutionId = row.taskExecutionId;
  const ended = status === 'FAILED' || status === 'STOPPED';
  return {
    id: row.id,
    jobInstanceId: row.jobInstanceId,
    jobName: row.jobName,
    taskExecutionId,
    status,
    exitCode: row.exitCode,
    exitMessage: row.exitMessage,
    createTime: row.createTime.toISOString(),
    startTime: iso(row.startTime),
    endTime: iso(row.endTime),
    lastUpdated: row.lastUpdated.toISOString(),
    version: row.version,
    stepExecutionCount: row.stepCount,
    restartable: ended && latestId === row.id && taskExecutionId !== null,
    stoppable: status === 'STARTING' || status === 'STARTED',
    abandonable: ended,
  };
}

export function toStepDto(row: Step, withContext: boolean): StepExecution {
  return {
    id: row.id,
    jobExecutionId: row.jobExecutionId,
    jobName: row.jobName,
    stepName: row.stepName,
    status: row.status as BatchStatus,
    readCount: row.readCount,
    writeCount: row.writeCount,
    commitCount: row.commitCount,
    rollbackCount: row.rollbackCount,
    filterCount: row.filterCount,
    readSkipCount: row.readSkipCount,
    processSkipCount: row.processSkipCount,
    writeSkipCount: row.writeSkipCount,
    skipCount: row.readSkipCount + row.processSkipCount + row.writeSkipCount,
    exitCode: row.exitCode,
    exitMessage: row.exitMessage,
    startTime: iso(row.startTime),
    endTime: iso(row.endTime),
    lastUpdated: row.lastUpdated.toISOString(),
    version: row.version,
    ...(withContext ? { context: record(row.context) } : {}),
  };
}

/** Job, step and instance queries, and the operator actions stop, restart and abandon. */
export class JobService {
  constructor(
    private readonly db: Db,
    private readonly launcher: Pick<Launcher, 'launch' | 'launchOnce' | 'storedRequest' | 'composed'>,
  ) {}

  private async dtos(rows: Summary[]): Promise<JobExecution[]> {
    const latest = await batch.latestExecutionIds(
      this.db,
      rows.map((r) => r.jobInstanceId),
    );
    return rows.map((r) => toJobExecutionDto(r, latest.get(r.jobInstanceId)));
  }

  async list(q: ListJobExecutionsQuery): Promise<Page<JobExecution>> {
    const before = cursorId(q.cursor);
    const filter = {
      jobName: q.name,
      status: q.status,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      taskExecutionId: q.taskExecutionId,
    };
    if (q.jobInstanceId !== undefined) return this.listOfInstance(q.jobInstanceId, filter, q, before);
    const rows = await batch.listJobExecutions(this.db, filter, q.size + 1, before);
    const items = rows.slice(0, q.size);
    const last = items.at(-1);
    return {
      items: await this.dtos(items),
      page: {
        size: q.size,
        next: rows.length > q.size && last ? encodeCursor([last.id]) : null,
        ...(q.total ? { total: await batch.countJobExecutions(this.db, filter) } : {}),
      },
    };
  }

  /**
   * SCDF's job instance filter. It goes through the instance's own query (an instance has a handful
   * of executions), so the job repository's list query stays as it is; the other filters and the
   * keyset cursor apply to that short list.
   */
  private async listOfInstance(
    instanceId: number,
    filter: { jobName?: string; status?: string; from?: Date; to?: Date; taskExecutionId?: number },
    q: ListJobExecutionsQuery,
    before: number | undefined,
  ): Promise<Page<JobExecution>> {
    const all = (await this.dtos(await batch.jobExecutionsOfInstance(this.db, instanceId, 10_000))).filter(
      (e) =>
        (filter.jobName === undefined || e.jobName === filter.jobName) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.taskExecutionId === undefined || e.taskExecutionId === filter.taskExecutionId) &&
        (filter.from === undefined ||
          (e.startTime !== null && Date.parse(e.startTime) >= filter.from.getTime())) &&
        (filter.to === undefined || (e.startTime !== null && Date.parse(e.startTime) < filter.to.getTime())),
    );
    const after = all.filter((e) => before === undefined || e.id < before);
    const items = after.slice(0, q.size);
    const last = items.at(-1);
    return {
      items,
      page: {
        size: q.size,
        next: after.length > q.size && last ? encodeCursor([last.id]) : null,
        ...(q.total ? { total: all.length } : {}),
      },
    };
  }

  private async summary(id: number): Promise<JobExecution> {
    const row = await batch.findJobExecution(this.db, id);
    if (!row) throw notFound('job execution', id);
    return (await this.dtos([row]))[0]!;
  }

  async get(id: number): Promise<JobExecutionDetail> {
    const execution = await this.summary(id);
    const [parameters, context, steps] = await Promise.all([
      batch.jobParameters(this.db, id),
      batch.jobContext(this.db, id),
      batch.stepExecutions(this.db, id),
    ]);
    return {
      ...execution,
      parameters: parameters.map((p) => ({
        name: p.name,
        type: p.type,
        value: redactValue(p.name, p.value),
        identifying: p.identifying,
      })),
      context: record(context),
      steps: steps.map((s) => toStepDto(s, true)),
    };
  }

  /** A restart made at most once per Idempotency-Key. */
  launchOnce(
    claim: IdempotencyClaim | undefined,
    launch: (idempotency: IdempotencyClaim | undefined) => Promise<TaskExecution>,
  ): Promise<TaskExecution> {
    return this.launcher.launchOnce(claim, launch);
  }

  /** Cooperative: the worker sees STOPPING at its next chunk boundary and ends STOPPED. */
  async stop(id: number): Promise<JobExecution> {
    const current = await this.summary(id);
    await this.refuseComposed(current, 'stop');
    if (!(await batch.requestStop(this.db, id))) {
      throw new ApiError('CONFLICT', `job execution ${id} is ${current.status}; only a running one can stop`);
    }
    await audit.recordAudit(this.db, { operation: 'JOB', action: 'STOP', correlationId: String(id) });
    return this.summary(id);
  }

  /** A composed run's batch job mirrors the composed task: it is stopped through the task. */
  private async refuseComposed(job: JobExecution, action: string): Promise<void> {
    const task =
      job.taskExecutionId === null ? null : await executions.findExecution(this.db, job.taskExecutionId);
    if (task?.platformType !== 'composed') return;
    throw new ApiError(
      'CONFLICT',
      `job execution ${job.id} is composed task execution ${task.id}'s: ${action} it with POST /tasks/executions/${task.id}/stop`,
    );
  }

  async abandon(id: number): Promise<JobExecution> {
    const current = await this.summary(id);
    if (!(await batch.abandon(this.db, id))) {
      throw new ApiError(
        'CONFLICT',
        `job execution ${id} is ${current.status}; only a FAILED or STOPPED one can be abandoned`,
      );
    }
    await audit.recordAudit(this.db, { operation: 'JOB', action: 'ABANDON', correlationId: String(id) });
    return this.summary(id);
  }

  /**
   * Relaunches the task execution that ran the job with its original arguments and properties:
   * the same identifying parameters reach the same JobInstance, which the worker restarts from
   * its last committed chunk.
   */
  async restart(id: number, idempotency?: IdempotencyClaim): Promise<TaskExecution> {
    const execution = await this.summary(id);
    if (!execution.restartable || execution.taskExecutionId === null) {
      const why =
        execution.taskExecutionId === null
          ? 'no task execution ran it'
          : `it is ${execution.status}${execution.abandonable ? ' and not the newest of its instance' : ''}`;
      throw new ApiError('CONFLICT', `job execution ${id} is not restartable: ${why}`);
    }
    const task = await executions.findExecution(this.db, execution.taskExecutionId);
    if (!task) throw new ApiError('CONFLICT', `job execution ${id} is not restartable: its task is gone`);
    // A composed run's batch job (composed/batch-job.ts): restarting it restarts the composed task.
    if (task.platformType === 'composed' && this.launcher.composed) {
      const launched = await this.launcher.composed.relaunch(task, idempotency);
      await audit.recordAudit(this.db, {
        operation: 'JOB',
        action: 'RESTART',
        correlationId: String(id),
        data: { taskExecutionId: launched.id },
      });
      return launched;
    }
    const launched = await this.launcher.launch(
      {
        name: task.taskName,
        ...this.launcher.storedRequest(task),
        platform: task.platformName ?? undefined,
      },
      {
        restartOfJobExecutionId: id,
        idempotency,
        // Exactly one restart in flight per job execution: checked and inserted under one lock.
        beforeInsert: async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`batchyard:job-restart:${id}`}))`;
          const live = await executions.liveRestartOf(tx, id);
          if (live) {
            throw new ApiError(
              'CONFLICT',
              `job execution ${id} is already being restarted by task execution ${live.id} (${live.status})`,
            );
          }
        },
      },
    );
    await audit.recordAudit(this.db, {
      operation: 'JOB',
      action: 'RESTART',
      correlationId: String(id),
      data: { taskExecutionId: launched.id },
    });
    return launched;
  }

  async steps(id: number): Promise<StepExecution[]> {
    await this.summary(id);
    return (await batch.stepExecutions(this.db, id)).map((s) => toStepDto(s, false));
  }

  async step(id: number, stepId: number): Promise<StepExecution> {
    const row = await batch.findStepExecution(this.db, id, stepId);
    if (!row) throw notFound(`step execution of job execution ${id}`, stepId);
    return toStepDto(row, true);
  }

  async history(jobName: string, stepName: string): Promise<StepExecutionHistory> {
    return { jobName, stepName, ...(await monitoring.stepHistory(this.db, jobName, stepName)) };
  }

  async progress(id: number, stepId: number, now = new Date()): Promise<StepProgress> {
    const row = await batch.findStepExecution(this.db, id, stepId);
    if (!row) throw notFound(`step execution of job execution ${id}`, stepId);
    const history = await this.history(row.jobName, row.stepName);
    const finished = row.endTime !== null;
    const duration = (row.endTime ?? now).getTime() - (row.startTime ?? now).getTime();
    const estimate = estimateProgress({ readCount: row.readCount, finished, durationMs: duration }, history);
    return {
      stepExecution: toStepDto(row, false),
      stepExecutionHistory: history,
      percentageComplete: estimate.percentageComplete,
      percentCompleteBasis: estimate.basis,
      finished,
      duration,
    };
  }

  async instances(q: ListJobInstancesQuery) {
    const before = cursorId(q.cursor);
    const rows = await batch.listJobInstances(this.db, q.name, q.size + 1, before);
    const items = rows.slice(0, q.size);
    const last = items.at(-1);
    return {
      items: items.map((i) => ({
        id: i.id,
        jobName: i.jobName,
        jobKey: i.jobKey,
        version: i.version,
        createdAt: i.createdAt.toISOString(),
      })),
      page: {
        size: q.size,
        next: rows.length > q.size && last ? encodeCursor([last.id]) : null,
        ...(q.total ? { total: await batch.countJobInstances(this.db, q.name) } : {}),
      },
    };
  }

  async instance(id: number): Promise<JobInstance> {
    const row = await batch.findJobInstance(this.db, id);
    if (!row) throw notFound('job instance', id);
    const runs = await batch.jobExecutionsOfInstance(this.db, id, 100);
    return {
      id: row.id,
      jobName: row.jobName,
      jobKey: row.jobKey,
      version: row.version,
      createdAt: row.createdAt.toISOString(),
      executions: await this.dtos(runs),
    };
  }
}
