import { JobParametersInvalidError } from '../model/errors.js';
import type { JobParameters } from '../model/parameters.js';

/** Checks a launch's parameters before anything runs (Spring Batch's `JobParametersValidator`). */
export interface JobParametersValidator {
  /** Throws `JobParametersInvalidError` naming every problem; returns normally when valid. */
  validate(params: JobParameters, ctx: { jobName: string; allowedExtra: readonly string[] }): void;
}

export interface KeysValidatorOptions {
  /** Each must be present. */
  required?: readonly string[];
  /**
   * May be present. When given (even empty), any key neither required nor optional is refused —
   * Spring Batch's `DefaultJobParametersValidator`. Keys added by the job's incrementer (`run.id`)
   * are always accepted.
   */
  optional?: readonly string[];
}

/**
 * Required and optional keys.
 *
 * @example job('load').validator(parametersValidator({ required: ['input'], optional: ['chunkSize'] }))
 */
export function parametersValidator(options: KeysValidatorOptions): JobParametersValidator {
  const required = [...(options.required ?? [])];
  const optional = options.optional ? [...options.optional] : undefined;
  const overlap = required.filter((k) => optional?.includes(k));
  if (overlap.length) {
    throw new RangeError(`parametersValidator: keys both required and optional: ${overlap.join(', ')}`);
  }
  return {
    validate(params, { jobName, allowedExtra }) {
      const problems: string[] = [];
      const missing = required.filter((k) => !params.has(k));
      if (missing.length) problems.push(`missing required ${missing.map((k) => `'${k}'`).join(', ')}`);
      if (optional) {
        const allowed = new Set([...required, ...optional, ...allowedExtra]);
        const unknown = [...params].map(([k]) => k).filter((k) => !allowed.has(k));
        if (unknown.length) {
          problems.push(
            `unknown ${unknown.map((k) => `'${k}'`).join(', ')} (allowed: ${[...allowed].sort().join(', ') || 'none'})`,
          );
        }
      }
      if (problems.length) {
        throw new JobParametersInvalidError(
          `job '${jobName}' parameters are invalid: ${problems.join('; ')}`,
          {
            missing,
          },
        );
      }
    },
  };
}
