/**
 * Names Kubernetes will later need. Task and schedule names become parts of Job, CronJob and
 * label values, so they follow DNS-1123 label rules (lowercase alphanumerics and '-'); length
 * is free up to 255 because the platform layer shortens resource names with a hash.
 */

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface NameRules {
  what: string;
  maxLength: number;
  /** SCDF task names must start with a letter (they become argument prefixes). */
  startWithLetter?: boolean;
}

/** Returns why `name` is not acceptable, or undefined when it is. */
export function nameProblem(name: string, rules: NameRules): string | undefined {
  if (name.length === 0) return `${rules.what} must not be empty`;
  if (name.length > rules.maxLength) {
    return `${rules.what} is ${name.length} characters long; at most ${rules.maxLength} are allowed`;
  }
  if (name !== name.toLowerCase()) return `${rules.what} must be lowercase (Kubernetes names are)`;
  if (rules.startWithLetter && !/^[a-z]/.test(name)) return `${rules.what} must start with a letter`;
  if (!LABEL.test(name)) {
    const bad = [...name].find((c) => !/[-a-z0-9]/.test(c));
    if (bad !== undefined) {
      return `${rules.what} may contain only lowercase letters, digits and '-' (found '${bad}')`;
    }
    return `${rules.what} must start and end with a letter or digit`;
  }
  return undefined;
}

export const TASK_NAME_RULES: NameRules = { what: 'task name', maxLength: 255, startWithLetter: true };
export const SCHEDULE_NAME_RULES: NameRules = {
  what: 'schedule name',
  maxLength: 255,
  startWithLetter: true,
};
/** App names become container names: a DNS-1123 label of at most 63 characters. */
export const APP_NAME_RULES: NameRules = { what: 'app name', maxLength: 63, startWithLetter: true };
