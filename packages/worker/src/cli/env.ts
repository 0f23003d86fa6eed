import {
  DEFAULT_TABLE_PREFIXES,
  postgresUrlFromJdbc,
  type SpringTablePrefixes,
  tablePrefixesError,
} from '@batchyard/core';
import { JobConfigurationError } from '../model/errors.js';

/** The environment contract of a worker pod, parsed once at start. */
export interface WorkerEnv {
  /** The task execution id (TASK_EXECUTION_ID) created by the control plane; undefined when run by hand. */
  readonly taskExecutionId: number | undefined;
  readonly taskName: string | undefined;
  /**
   * The Kubernetes Job this pod belongs to (downward API). A Job a CronJob created, or one applied
   * with kubectl, has no execution id in its environment: the worker finds the execution the
   * control plane adopted for this Job instead.
   */
  readonly jobName: string | undefined;
  /** Job repository URL. Secret: comes from a secretKeyRef and is never logged. */
  readonly databaseUrl: string;
  readonly jobModule: string | undefined;
  /** The control plane's API, as it gave it to the task (BATCHYARD_URL); remote partitions call it. */
  readonly apiUrl: string | undefined;
  /** The task's own token (BATCHYARD_TASK_TOKEN). Secret: never logged. */
  readonly taskToken: string | undefined;
  /**
   * A file holding the task's credential (BATCHYARD_TASK_TOKEN_FILE): on Kubernetes the pod's
   * projected ServiceAccount token, rotated by the kubelet, so it is read at each request.
   */
  readonly taskTokenFile: string | undefined;
  /** `spring.batch.jdbc.table-prefix` and `spring.cloud.task.tablePrefix`, as a Spring app reads them. */
  readonly tablePrefixes: Readonly<SpringTablePrefixes>;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The Spring Cloud Task launch contract, in any of SCDF's entry point styles: `--spring.…`
 * arguments (exec), SPRING_CLOUD_TASK_* variables (shell) or SPRING_APPLICATION_JSON (boot).
 */
function springProperty(key: string, env: Env, args: Readonly<Record<string, string>>): string | undefined {
  if (args[key] !== undefined) return args[key];
  const shell = env[key.toUpperCase().replace(/[.-]/g, '_')];
  if (shell !== undefined) return shell;
  const json = env.SPRING_APPLICATION_JSON;
  if (!json) return undefined;
  try {
    const parsed = JSON.parse(json) as Record<string, unknown>;
    const v = parsed[key];
    return v === undefined || v === null ? undefined : String(v);
  } catch {
    throw new JobConfigurationError('SPRING_APPLICATION_JSON is not valid JSON');
  }
}

function positiveId(raw: string | undefined, name: string): number | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new JobConfigurationError(`${name} must be a positive integer, got '${text}'`);
  }
  return id;
}

/**
 * Batchyard's variables (BATCHYARD_*) or, as a Spring Boot app gets them, the Spring Cloud Task
 * properties and SPRING_DATASOURCE_URL (JDBC form) with _USERNAME and _PASSWORD.
 */
export function parseEnv(env: Env, springArgs: Readonly<Record<string, string>> = {}): WorkerEnv {
  const taskExecutionId =
    positiveId(env.BATCHYARD_TASK_EXECUTION_ID, 'BATCHYARD_TASK_EXECUTION_ID') ??
    positiveId(
      springProperty('spring.cloud.task.executionid', env, springArgs),
      'spring.cloud.task.executionid',
    );
  let databaseUrl = env.BATCHYARD_DATABASE_URL?.trim();
  const jdbc = env.SPRING_DATASOURCE_URL?.trim();
  if (!databaseUrl && jdbc) {
    try {
      databaseUrl = postgresUrlFromJdbc(jdbc, env.SPRING_DATASOURCE_USERNAME, env.SPRING_DATASOURCE_PASSWORD);
    } catch (err) {
      throw new JobConfigurationError((err as Error).message);
    }
  }
  if (!databaseUrl)
    throw new JobConfigurationError('neither BATCHYARD_DATABASE_URL nor SPRING_DATASOURCE_URL is set');
  const tablePrefixes = {
    batch:
      springProperty('spring.batch.jdbc.table-prefix', env, springArgs)?.trim() ||
      DEFAULT_TABLE_PREFIXES.batch,
    task:
      (
        springProperty('spring.cloud.task.tablePrefix', env, springArgs) ??
        springProperty('spring.cloud.task.table-prefix', env, springArgs)
      )?.trim() || DEFAULT_TABLE_PREFIXES.task,
  };
  const prefixError = tablePrefixesError(tablePrefixes);
  if (prefixError) throw new JobConfigurationError(`table prefixes: ${prefixError}`);
  return Object.freeze({
    taskExecutionId,
    taskName:
      env.BATCHYARD_TASK_NAME?.trim() ||
      springProperty('spring.cloud.task.name', env, springArgs)?.trim() ||
      undefined,
    jobName: env.BATCHYARD_JOB_NAME?.trim() || undefined,
    databaseUrl,
    jobModule: env.BATCHYARD_JOB_MODULE?.trim() || undefined,
    apiUrl: env.BATCHYARD_URL?.trim() || undefined,
    taskToken: env.BATCHYARD_TASK_TOKEN?.trim() || undefined,
    taskTokenFile: env.BATCHYARD_TASK_TOKEN_FILE?.trim() || undefined,
    tablePrefixes: Object.freeze(tablePrefixes),
  });
}
