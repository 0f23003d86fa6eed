import { createHash } from 'node:crypto';

// Kubernetes naming rules (k8s.io/apimachinery/pkg/util/validation) and the deterministic names
// Batchyard gives its objects. Deterministic names are what make a retried launch idempotent: the
// second create of the same execution's Job hits 409 AlreadyExists instead of starting a twin.

export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;
export const LABEL_VALUE_MAX = 63;
/** The CronJob controller appends `-<11 digits>` to a CronJob's name for each Job it creates. */
export const CRONJOB_NAME_MAX = 52;

const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Returns why `value` is not a DNS-1123 label, or undefined when it is one. */
export function dns1123LabelError(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > DNS1123_LABEL_MAX) {
    return `must be no more than ${DNS1123_LABEL_MAX} characters (is ${value.length})`;
  }
  if (!LABEL_RE.test(value)) {
    return "must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Returns why `value` is not a DNS-1123 subdomain, or undefined when it is one. */
export function dns1123SubdomainError(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > DNS1123_SUBDOMAIN_MAX) {
    return `must be no more than ${DNS1123_SUBDOMAIN_MAX} characters (is ${value.length})`;
  }
  for (const part of value.split('.')) {
    if (!LABEL_RE.test(part)) {
      return "must consist of lower case alphanumeric characters, '-' or '.', and each dot-separated part must start and end with an alphanumeric character";
    }
  }
  return undefined;
}

/** Returns why `value` is not a valid label value, or undefined when it is one. */
export function labelValueError(value: string): string | undefined {
  if (value.length > LABEL_VALUE_MAX) {
    return `must be no more than ${LABEL_VALUE_MAX} characters (is ${value.length})`;
  }
  if (!LABEL_VALUE_RE.test(value)) {
    return "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Label and annotation keys: `[prefix/]name`, prefix a DNS subdomain, name ≤ 63 characters. */
export function qualifiedNameError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    const prefixError = dns1123SubdomainError(prefix);
    if (prefixError) return `prefix '${prefix}' ${prefixError}`;
  }
  if (name.length === 0) return 'name part must not be empty';
  if (name.length > 63) return `name part must be no more than 63 characters (is ${name.length})`;
  if (!QUALIFIED_NAME_RE.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

export const isDns1123Label = (value: string): boolean => dns1123LabelError(value) === undefined;

/** First 6 hex characters of SHA-256: stable across processes and releases, unlike a random suffix. */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 6);
}

/** Lower-cases and replaces every run of characters a DNS label may not hold by one '-'. */
function toLabelChars(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function trimEndDashes(value: string): string {
  return value.replace(/-+$/, '');
}

/**
 * A DNS-1123 label of at most `max` characters ending in `suffix` (which must itself be label
 * characters). The name is kept readable when it already is a valid label and fits; otherwise it is
 * sanitised and truncated and a hash of the ORIGINAL name is added, so that two names which
 * sanitise to the same text (`My_Task`, `my-task`) still get different results.
 */
function boundedLabel(name: string, suffix: string, max: number, fallback: string): string {
  const tail = suffix ? `-${suffix}` : '';
  const sanitised = toLabelChars(name);
  const plain = `${sanitised}${tail}`;
  if (sanitised === name && sanitised.length > 0 && plain.length <= max) return plain;
  const hashTail = `-${shortHash(name)}${tail}`;
  const room = max - hashTail.length;
  if (room < 1) throw new Error(`suffix '${suffix}' leaves no room for a name within ${max} characters`);
  const head = trimEndDashes((sanitised || fallback).slice(0, room)) || fallback.slice(0, room);
  return `${head}${hashTail}`;
}

/** The canonical decimal text of an execution id; rejects anything that is not a non-negative integer. */
export function executionIdText(executionId: number | bigint | string): string {
  const text = typeof executionId === 'string' ? executionId.trim() : executionId.toString();
  if (!/^(0|[1-9][0-9]*)$/.test(text)) {
    throw new Error(`execution id '${String(executionId)}' must be a non-negative integer`);
  }
  return text;
}

/**
 * The Job name of a task execution: `<task>-<id>` when the task name is already a valid label and
 * fits in 63 characters, else `<sanitised-truncated-task>-<hash6>-<id>`. Always a DNS-1123 label.
 */
export function jobName(taskName: string, executionId: number | bigint | string): string {
  return boundedLabel(taskName, executionIdText(executionId), DNS1123_LABEL_MAX, 'task');
}

/** The CronJob name of a schedule: the same scheme without the id, within 52 characters. */
export function cronJobName(scheduleName: string): string {
  return boundedLabel(scheduleName, '', CRONJOB_NAME_MAX, 'schedule');
}

/**
 * A valid label value for any text: invalid characters become '-', the ends are trimmed to
 * alphanumerics, and text that had to change or is too long gets a hash of the original, so the
 * mapping stays injective enough for label selectors. The original belongs in an annotation.
 */
export function sanitizeLabelValue(value: string): string {
  if (labelValueError(value) === undefined) return value;
  const cleaned = value.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  const hash = shortHash(value);
  const room = LABEL_VALUE_MAX - hash.length - 1;
  const head = cleaned.slice(0, room).replace(/[^A-Za-z0-9]+$/, '');
  return head ? `${head}-${hash}` : hash;
}
