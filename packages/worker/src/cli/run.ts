import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Job } from '../flow/builder.js';
import { launchJob } from '../launch.js';
import { BatchError, JobConfigurationError } from '../model/errors.js';
import type { Logger } from '../model/log.js';
import { jsonLogger } from '../model/log.js';
import type { JobParameters } from '../model/parameters.js';
import type { BatchStatus } from '../model/status.js';
import { describeError } from '../model/status.js';
import { PostgresJobRepository } from '../repository/postgres.js';
import type { JobRepository } from '../repository/types.js';
import { runPartitionExecution } from '../step/remote-partition.js';
import type { StopSignal } from '../step/runtime.js';
import { parseArgs } from './args.js';
import { parseEnv } from './env.js';

/** Process exit codes of `batchyard-worker`. */
export const EXIT_CODES = {
  /** The job COMPLETED. */
  COMPLETED: 0,
  /** The job ran and FAILED (or ended ABANDONED/UNKNOWN). */
  FAILED: 1,
  /** Bad arguments or environment, module not loadable, unknown job: nothing was started. */
  CONFIGURATION: 2,
  /** Launch refused: instance running, already complete, or not restartable. */
  REFUSED: 3,
  /** The job repository failed (database unreachable, optimistic-lock conflict, ...). */
  INTERNAL: 4,
  /** The job STOPPED (SIGTERM/SIGINT, or a stop requested through the control plane): 128+15. */
  STOPPED: 143,
} as const;

/** A job built from the launch parameters, for definitions that depend on them (chunk size, paths). */
export interface JobFactory {
  readonly name: string;
  create(params: JobParameters): Job | Promise<Job>;
}

/** @example export const jobs = [defineJob('settlement', (p) => settlementJob(p))]; */
export function defineJob(name: string, create: (params: JobParameters) => Job | Promise<Job>): JobFactory {
  return { name, create };
}

export type JobDefinition = Job | JobFactory;

export interface RunWorkerOptions {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Job definitions given in code (the sample app); otherwise loaded from --module/BATCHYARD_JOB_MODULE. */
  jobs?: readonly JobDefinition[];
  log?: Logger;
  /** For tests: a repository instead of BATCHYARD_DATABASE_URL. */
  repository?: JobRepository;
  stop?: StopSignal;
  /** Install SIGTERM/SIGINT handlers that request a stop (default true). */
  handleSignals?: boolean;
}

async function loadModule(path: string): Promise<JobDefinition[]> {
  const url = pathToFileURL(isAbsolute(path) ? path : resolve(process.cwd(), path)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new JobConfigurationError(`cannot load job module '${path}': ${describeError(error)}`);
  }
  const found = mod.jobs ?? mod.default;
  const list = Array.isArray(found) ? found : found ? [found] : [];
  if (list.length === 0)
    throw new JobConfigurationError(`job module '${path}' exports no 'jobs' (or default)`);
  return list as JobDefinition[];
}

function statusExitCode(status: BatchStatus): number {
  if (status === 'COMPLETED') return EXIT_CODES.COMPLETED;
  if (status === 'STOPPED' || status === 'STOPPING') return EXIT_CODES.STOPPED;
  return EXIT_CODES.FAILED;
}

/**
 * The worker pod's main: parse env and args, resolve the job, run it against the Postgres job
 * repository, link it to the task execution and record the exit code in TASK_EXECUTION.EXIT_MESSAGE.
 * Returns the process exit code (see EXIT_CODES); never calls process.exit itself.
 */
export async function runWorker(opts: RunWorkerOptions): Promise<number> {
  const log = opts.log ?? jsonLogger();
  const stop = opts.stop ?? { requested: false };
  let repository = opts.repository;
  let owned: PostgresJobRepository | undefined;
  let refusedTask: number | undefined;
  const onSignal = (signal: string) => () => {
    log.warn('stop requested by signal; finishing the current chunk', { signal });
    stop.requested = true;
  };
  const handlers: [NodeJS.Signals, () => void][] = [
    ['SIGTERM', onSignal('SIGTERM')],
    ['SIGINT', onSignal('SIGINT')],
  ];
  if (opts.handleSignals ?? true) for (const [s, h] of handlers) process.on(s, h);
  try {
    const args = parseArgs(opts.argv);
    const env = parseEnv(
      repository ? { BATCHYARD_DATABASE_URL: 'unused', ...opts.env } : opts.env,
      args.spring,
    );
    const defs =
      opts.jobs ??
      (await loadModule(
        args.module ?? env.jobModule ?? fail('no job module: give --module or BATCHYARD_JOB_MODULE'),
      ));
    const name =
      args.job ??
      (defs.length === 1
        ? defs[0]!.name
        : fail(`several jobs defined; choose one with --job (${defs.map((d) => d.name).join(', ')})`));
    const def =
      defs.find((d) => d.name === name) ??
      fail(`unknown job '${name}' (defined: ${defs.map((d) => d.name).join(', ')})`);
    const job = 'create' in def ? await def.create(args.parameters) : def;
    if (!repository) {
      owned = PostgresJobRepository.fromUrl(env.databaseUrl, { tablePrefixes: env.tablePrefixes });
      repository = owned;
    }
    const repo = repository;
    const taskExecutionId =
      env.taskExecutionId ??
      (env.jobName && repo instanceof PostgresJobRepository
        ? await repo.findTaskExecutionId(env.jobName)
        : undefined);
    refusedTask = taskExecutionId;
    log.info('worker starting', {
      job: job.name,
      task: env.taskName,
      taskExecutionId,
      parameters: args.parameters.canonical(),
    });
    if (args.partitionStepExecution !== undefined) {
      const se = await runPartitionExecution(job, args.partitionStepExecution, {
        repository: repo,
        log,
        stop,
      });
      // Not linked to the job execution: that is the manager's (TASK_TASK_BATCH), and a failed
      // partition must fail its step only, not the job the manager is still running.
      if (taskExecutionId !== undefined) await repo.setTaskExitMessage(taskExecutionId, se.exitStatus.code);
      return statusExitCode(se.status);
    }
    const execution = await launchJob(job, args.parameters, {
      repository: repo,
      log,
      stop,
      ...(env.apiUrl && taskExecutionId !== undefined
        ? {
            controlPlane: {
              url: env.apiUrl,
              token: env.taskToken,
              ...(env.taskTokenFile ? { tokenFile: env.taskTokenFile } : {}),
              taskExecutionId,
            },
          }
        : {}),
      onCreated: async (e) => {
        if (taskExecutionId === undefined) return;
        const linked = await repo.linkTaskExecution(taskExecutionId, e.id);
        if (!linked)
          log.warn('task execution row not found; job not linked', { taskExecutionId, jobExecutionId: e.id });
      },
    });
    if (taskExecutionId !== undefined)
      await repo.setTaskExitMessage(taskExecutionId, execution.exitStatus.code);
    const code = statusExitCode(execution.status);
    log.info('worker exiting', { jobExecutionId: execution.id, status: execution.status, exitCode: code });
    return code;
  } catch (error) {
    const code =
      error instanceof JobConfigurationError
        ? EXIT_CODES.CONFIGURATION
        : error instanceof BatchError &&
            ['JOB_EXECUTION_ALREADY_RUNNING', 'JOB_INSTANCE_ALREADY_COMPLETE', 'JOB_RESTART'].includes(
              error.code,
            )
          ? EXIT_CODES.REFUSED
          : EXIT_CODES.INTERNAL;
    log.error('worker failed', { error: describeError(error), exitCode: code });
    // A refused launch has no job execution: record why on the task execution (message only).
    if (code === EXIT_CODES.REFUSED && repository && refusedTask !== undefined) {
      await repository.setTaskExitMessage(refusedTask, (error as BatchError).code).catch(() => undefined);
    }
    return code;
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
    await owned?.close().catch(() => undefined);
  }
}

function fail(message: string): never {
  throw new JobConfigurationError(message);
}
