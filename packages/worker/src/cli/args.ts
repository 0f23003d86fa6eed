import { JobConfigurationError } from '../model/errors.js';
import type { JobParameterType } from '../model/parameters.js';
import { decodeValue, JobParameters } from '../model/parameters.js';

/**
 * Command-line contract of `batchyard-worker`:
 *
 *   batchyard-worker [--job=NAME] [--module=PATH] [--OPTION=VALUE ...] [name=value[,type[,identifying]] ...]
 *
 * - `name=value` is an identifying STRING parameter.
 * - `name=value,type` and `name=value,type,identifying` follow Spring Batch 5's default notation:
 *   type is string|number|long|double|date|boolean (or the Java class names java.lang.String,
 *   java.lang.Long, java.lang.Integer, java.lang.Double, java.util.Date, java.time.LocalDate,
 *   java.time.LocalDateTime, java.lang.Boolean), identifying is true|false (default true). A value
 *   may contain commas only when the type is given (`note=a,b,string`); otherwise the whole text
 *   after `=` is the value when its last comma-separated part is not a known type.
 * - `--job`, `--module` and `--partition-step-execution=<id>` (remote partitions, set by the control
 *   plane) are options of the worker itself; `--spring.…=value` are Spring Boot properties (the
 *   launch contract Spring Cloud Task apps get: `--spring.cloud.task.executionid=<id>`, …). Any other `--name=value` (or `--flag`,
 *   meaning `true`) becomes a NON-identifying parameter with the same typed notation, e.g.
 *   `--chunkSize=500` (STRING "500"; `params.number('chunkSize')` converts it).
 */
export interface WorkerArgs {
  job?: string;
  module?: string;
  /** Run only this worker step execution of a remote partition (set by the control plane). */
  partitionStepExecution?: number;
  /**
   * Spring Boot properties given as `--spring.…=value` (the Spring Cloud Task launch contract:
   * spring.cloud.task.executionid, .name, .parent-execution-id): configuration, not job parameters.
   */
  spring: Record<string, string>;
  parameters: JobParameters;
}

const TYPES: Record<string, JobParameterType> = {
  string: 'STRING',
  'java.lang.string': 'STRING',
  number: 'NUMBER',
  long: 'NUMBER',
  int: 'NUMBER',
  integer: 'NUMBER',
  double: 'NUMBER',
  'java.lang.long': 'NUMBER',
  'java.lang.integer': 'NUMBER',
  'java.lang.double': 'NUMBER',
  date: 'DATE',
  'java.util.date': 'DATE',
  'java.time.localdate': 'DATE',
  'java.time.localdatetime': 'DATE',
  boolean: 'BOOLEAN',
  'java.lang.boolean': 'BOOLEAN',
};

/** Splits `value[,type[,identifying]]`; `identifying` is undefined when not given. */
export function parseTypedValue(
  text: string,
  name: string,
): { value: ReturnType<typeof decodeValue>; identifying: boolean | undefined } {
  const parts = text.split(',');
  let type: JobParameterType = 'STRING';
  let identifying: boolean | undefined;
  let valueParts = parts;
  const last = parts.at(-1)?.trim().toLowerCase() ?? '';
  const beforeLast = parts.at(-2)?.trim().toLowerCase() ?? '';
  if (parts.length >= 3 && (last === 'true' || last === 'false') && beforeLast in TYPES) {
    type = TYPES[beforeLast]!;
    identifying = last === 'true';
    valueParts = parts.slice(0, -2);
  } else if (parts.length >= 2 && last in TYPES) {
    type = TYPES[last]!;
    valueParts = parts.slice(0, -1);
  }
  try {
    return { value: decodeValue(type, valueParts.join(',')), identifying };
  } catch (error) {
    throw new JobConfigurationError(`parameter '${name}': ${(error as Error).message}`);
  }
}

export function parseArgs(argv: readonly string[]): WorkerArgs {
  const out: WorkerArgs = { spring: {}, parameters: new JobParameters() };
  let params = new JobParameters();
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const text = eq < 0 ? 'true,boolean' : arg.slice(eq + 1);
      if (!name) throw new JobConfigurationError(`invalid option '${arg}'`);
      if (name === 'job' || name === 'module') {
        out[name] = text;
        continue;
      }
      if (name.startsWith('spring.')) {
        out.spring[name] = eq < 0 ? 'true' : text;
        continue;
      }
      if (name === 'partition-step-execution') {
        const id = Number(text);
        if (!Number.isSafeInteger(id) || id <= 0) throw new JobConfigurationError(`invalid ${arg}`);
        out.partitionStepExecution = id;
        continue;
      }
      const { value } = parseTypedValue(text, name);
      params = params.with(name, value, { identifying: false });
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq <= 0)
      throw new JobConfigurationError(`invalid argument '${arg}': expected name=value[,type[,identifying]]`);
    const name = arg.slice(0, eq);
    const { value, identifying } = parseTypedValue(arg.slice(eq + 1), name);
    params = params.with(name, value, { identifying: identifying ?? true });
  }
  out.parameters = params;
  return out;
}
