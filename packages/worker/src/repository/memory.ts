import type { SqlClient } from '../model/api.js';
import { ExecutionContext } from '../model/context.js';
import { OptimisticLockingError } from '../model/errors.js';
import type { JobExecution, JobInstance, StepExecution } from '../model/execution.js';
import { type Clock, systemClock } from '../model/execution.js';
import type { JobParameters } from '../model/parameters.js';
import { ExitStatus } from '../model/status.js';
import type { CommitResult, JobRepository, LaunchCheck, StoredJobStatus } from './types.js';

type StoredStep = Omit<StepExecution, 'context'> & { context: ExecutionContext };

function copyContext(context: ExecutionContext): ExecutionContext {
  const entries = context.entries();
  for (const key in entries) {
    const v = entries[key];
    if (typeof v === 'object' && v !== null) return context.clone();
  }
  return new ExecutionContext(entries);
}

/**
 * In-memory job repository for unit tests. It stores copies, so a test can observe exactly what
 * was "committed" (e.g. after a simulated crash), and enforces the same version checks as Postgres.
 */
export class InMemoryJobRepository implements JobRepository {
  private readonly instances: JobInstance[] = [];
  private readonly jobs = new Map<number, JobExecution>();
  private readonly steps = new Map<number, StoredStep>();
  private readonly taskLinks: [number, number][] = [];
  readonly taskExitMessages = new Map<number, string>();
  /** Task execution ids that "exist" (link succeeds); undefined = all exist. */
  taskExecutionIds: Set<number> | undefined;
  private nextId = 1;

  constructor(private readonly clock: Clock = systemClock) {}

  async createJobExecution(
    jobName: string,
    params: JobParameters,
    check: LaunchCheck,
  ): Promise<JobExecution> {
    const jobKey = params.identifying().jobKey();
    let instance = this.instances.find((i) => i.jobName === jobName && i.jobKey === jobKey);
    const previous = instance ? this.lastOf(instance.id) : undefined;
    check(previous ? this.copyJob(previous) : undefined);
    if (!instance) {
      instance = { id: this.nextId++, jobName, jobKey };
      this.instances.push(instance);
    }
    const now = this.clock();
    const execution: JobExecution = {
      id: this.nextId++,
      instance,
      parameters: params,
      status: 'STARTING',
      exitStatus: ExitStatus.UNKNOWN,
      createTime: now,
      startTime: null,
      endTime: null,
      lastUpdated: now,
      version: 0,
      context: previous ? previous.context.clone() : new ExecutionContext(),
      stepExecutions: [],
    };
    this.jobs.set(execution.id, this.copyJob(execution));
    return execution;
  }

  private lastOf(instanceId: number): JobExecution | undefined {
    let last: JobExecution | undefined;
    for (const j of this.jobs.values())
      if (j.instance.id === instanceId && (!last || j.id > last.id)) last = j;
    return last;
  }

  private copyJob(j: JobExecution): JobExecution {
    return { ...j, context: j.context.clone(), stepExecutions: [] };
  }

  async updateJobExecution(execution: JobExecution): Promise<void> {
    const stored = this.jobs.get(execution.id);
    if (!stored || stored.version !== execution.version) {
      throw new OptimisticLockingError(
        `job execution ${execution.id} version ${execution.version} is stale (stored ${stored?.version})`,
      );
    }
    execution.version++;
    execution.lastUpdated = this.clock();
    this.jobs.set(execution.id, { ...this.copyJob(execution), context: stored.context });
  }

  async updateJobContext(execution: JobExecution): Promise<void> {
    const stored = this.jobs.get(execution.id);
    if (stored) stored.context = execution.context.clone();
    execution.context.clearDirty();
  }

  async getJobStatus(jobExecutionId: number): Promise<StoredJobStatus> {
    const j = this.jobs.get(jobExecutionId);
    return { status: j?.status ?? 'UNKNOWN', version: j?.version ?? -1 };
  }

  /** Test hook: what PUT /jobs/executions/{id}/stop does in the control plane. */
  requestStop(jobExecutionId: number): void {
    const j = this.jobs.get(jobExecutionId);
    if (j && (j.status === 'STARTED' || j.status === 'STARTING')) {
      j.status = 'STOPPING';
      j.version++;
    }
  }

  async getJobExecution(id: number): Promise<JobExecution | undefined> {
    const j = this.jobs.get(id);
    return j ? this.copyJob(j) : undefined;
  }

  async getLastJobExecution(jobName: string): Promise<JobExecution | undefined> {
    let last: JobExecution | undefined;
    for (const j of this.jobs.values())
      if (j.instance.jobName === jobName && (!last || j.id > last.id)) last = j;
    return last ? this.copyJob(last) : undefined;
  }

  async getStepExecution(id: number): Promise<StepExecution | undefined> {
    return this.storedStep(id);
  }

  async getLastStepExecution(instance: JobInstance, stepName: string): Promise<StepExecution | undefined> {
    let last: StoredStep | undefined;
    for (const s of this.steps.values()) {
      if (s.stepName !== stepName || this.jobs.get(s.jobExecutionId)?.instance.id !== instance.id) continue;
      if (!last || s.id > last.id) last = s;
    }
    return last ? { ...last, context: last.context.clone() } : undefined;
  }

  async countStepExecutions(instance: JobInstance, stepName: string): Promise<number> {
    let n = 0;
    for (const s of this.steps.values()) {
      if (s.stepName === stepName && this.jobs.get(s.jobExecutionId)?.instance.id === instance.id) n++;
    }
    return n;
  }

  async addStepExecution(step: StepExecution): Promise<void> {
    step.id = this.nextId++;
    step.version = 0;
    this.steps.set(step.id, { ...step, context: step.context.clone() });
    step.context.clearDirty();
  }

  async updateStepExecution(step: StepExecution): Promise<void> {
    this.saveStep(step);
  }

  /**
   * Writes the step's fields into the stored record in place (no copy of the execution per commit)
   * and its context only when changed — as a shallow copy when its values are primitives (what the
   * readers and writers store), a deep one otherwise.
   */
  private saveStep(step: StepExecution): void {
    const stored = this.steps.get(step.id);
    if (!stored || stored.version !== step.version) {
      throw new OptimisticLockingError(`step execution ${step.id} version ${step.version} is stale`);
    }
    step.version++;
    step.lastUpdated = this.clock();
    stored.status = step.status;
    stored.exitStatus = step.exitStatus;
    stored.startTime = step.startTime;
    stored.endTime = step.endTime;
    stored.lastUpdated = step.lastUpdated;
    stored.version = step.version;
    stored.terminateOnly = step.terminateOnly;
    stored.readCount = step.readCount;
    stored.writeCount = step.writeCount;
    stored.filterCount = step.filterCount;
    stored.commitCount = step.commitCount;
    stored.rollbackCount = step.rollbackCount;
    stored.readSkipCount = step.readSkipCount;
    stored.processSkipCount = step.processSkipCount;
    stored.writeSkipCount = step.writeSkipCount;
    if (step.context.dirty) stored.context = copyContext(step.context);
    step.context.clearDirty();
  }

  async commitChunk(
    step: StepExecution,
    work: (tx: SqlClient | undefined) => Promise<void>,
  ): Promise<CommitResult> {
    await work(undefined);
    this.saveStep(step);
    const j = this.jobs.get(step.jobExecutionId);
    return { status: j?.status ?? 'UNKNOWN', version: j?.version ?? -1 };
  }

  async transaction<T>(work: (tx: SqlClient | undefined) => Promise<T>): Promise<T> {
    return work(undefined);
  }

  async linkTaskExecution(taskExecutionId: number, jobExecutionId: number): Promise<boolean> {
    if (this.taskExecutionIds && !this.taskExecutionIds.has(taskExecutionId)) return false;
    this.taskLinks.push([taskExecutionId, jobExecutionId]);
    return true;
  }

  async setTaskExitMessage(taskExecutionId: number, message: string): Promise<void> {
    this.taskExitMessages.set(taskExecutionId, message);
  }

  // ---- read helpers for tests -------------------------------------------------------------

  storedStep(stepExecutionId: number): StepExecution | undefined {
    const s = this.steps.get(stepExecutionId);
    return s ? { ...s, context: s.context.clone() } : undefined;
  }

  storedJob(jobExecutionId: number): JobExecution | undefined {
    const j = this.jobs.get(jobExecutionId);
    return j ? this.copyJob(j) : undefined;
  }

  stepsOf(jobExecutionId: number): StepExecution[] {
    return [...this.steps.values()]
      .filter((s) => s.jobExecutionId === jobExecutionId)
      .map((s) => ({ ...s, context: s.context.clone() }));
  }

  links(): readonly [number, number][] {
    return this.taskLinks;
  }
}
