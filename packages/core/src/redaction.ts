/**
 * The one redaction rule for everything Batchyard stores, returns or logs: values of keys that
 * look secret (a configurable pattern), `--secret=…` arguments, `NAME_PASSWORD=…` entries of
 * environment lists, and passwords inside URLs. Tasks still receive the real values; what is kept
 * and shown is masked. Secrets meant for tasks travel best as Kubernetes Secret references.
 */

export const REDACTED = '******';

/** Names that usually hold secrets: FOO_PASSWORD, db.secret, apiToken, AWS_SECRET_ACCESS_KEY, API_KEY. */
export const DEFAULT_SECRET_KEY_PATTERN =
  'passw(or)?d|passwd|passphrase|(^|[-_.])pass($|[-_.])|secret|token|credential|private|(access|api)[-_.]?key|(^|[-_.])key($|[-_.])';

let secretName = new RegExp(DEFAULT_SECRET_KEY_PATTERN, 'i');

/**
 * Sets the pattern once at start-up, from the server's configuration (`redaction.secretKeys`).
 * Throws for a pattern that is not a regular expression.
 */
export function setSecretKeyPattern(source: string): void {
  secretName = new RegExp(source, 'i');
}

export function looksSecretName(name: string): boolean {
  return secretName.test(name);
}

/**
 * `DB_PASSWORD_FILE=/run/secrets/db`, `BATCHYARD_TASK_TOKEN_FILE=/var/run/secrets/…/token`: the
 * convention (Docker images, mounted Secrets, projected tokens) of naming the file that holds a
 * secret. The path is not the secret, so such a variable's value is shown when it is a plain absolute
 * path; anything else under a `…_FILE` name (a relative path, spaces, `+`, `=`, `:` as inline tokens
 * and URLs carry) is masked as before.
 */
const FILE_REFERENCE_NAME_RE = /_FILE$/i;
const PLAIN_ABSOLUTE_PATH_RE = /^(?:\/[A-Za-z0-9._@-]+)+$/;

export function isSecretFileReference(name: string, value: string): boolean {
  return FILE_REFERENCE_NAME_RE.test(name) && PLAIN_ABSOLUTE_PATH_RE.test(value);
}

/** Whether the value of environment variable `name` is masked. */
export function masksEnvValue(name: string, value: string): boolean {
  return looksSecretName(name) && !isSecretFileReference(name, value);
}

/** `scheme://user:password@host` → the password part. */
const URL_CREDENTIALS_RE = /([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]*):([^\s/@]+)@/gi;
/** `--db-password=x`, `-Dapi.token=x` and job-parameter `spring.datasource.password=x` arguments. */
const ARG_RE = /^((?:--?)?[^=\s]+)=(.*)$/s;
/** One `NAME=value` entry of SCDF's comma-separated environment list; values may be quoted. */
const ENV_ENTRY_RE = /(^|,)(\s*)([^=,\s]+)=('[^']*'|"[^"]*"|[^,]*)/g;

/** Replaces passwords in URLs; the user name stays so the URL is still recognisable. */
export function redactUrlCredentials(text: string): string {
  return text.replace(
    URL_CREDENTIALS_RE,
    (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`,
  );
}

/** `A=1,DB_PASSWORD=x` → `A=1,DB_PASSWORD=******` (deployer.<app>.environmentVariables). */
export function redactEnvironmentList(value: string): string {
  return value.replace(ENV_ENTRY_RE, (_m, sep: string, space: string, name: string, v: string) =>
    masksEnvValue(name, v)
      ? `${sep}${space}${name}=${REDACTED}`
      : `${sep}${space}${name}=${redactUrlCredentials(v)}`,
  );
}

/**
 * Deployer properties that name Kubernetes Secrets rather than hold them (`deployer.etl.secretRefs=
 * etl-credentials`): the way secrets should travel, so they are shown as given, not masked.
 */
const SECRET_REFERENCE_KEY_RE = /(^|\.)(secretRefs|secretKeyRefs|imagePullSecrets)$/;

/** The value of `key` as it may be kept and shown. */
export function redactValue(key: string, value: string): string {
  if (SECRET_REFERENCE_KEY_RE.test(key)) return redactUrlCredentials(value);
  if (looksSecretName(key)) return REDACTED;
  if (/(^|\.)environmentVariables$/.test(key)) return redactEnvironmentList(value);
  return redactArgument(value);
}

/** One command-line argument: `--password=x` loses its value, URLs lose their passwords. */
export function redactArgument(arg: string): string {
  const m = ARG_RE.exec(arg);
  if (m) return looksSecretName(m[1]!) ? `${m[1]}=${REDACTED}` : `${m[1]}=${redactValue(m[1]!, m[2]!)}`;
  return redactUrlCredentials(arg);
}

/** Like `out[key] = value`, but a `__proto__` key stays data instead of replacing the prototype. */
export function putData(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

export function redactStringMap(map: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) putData(out, key, redactValue(key, value));
  return out;
}

/**
 * A deep copy of a JSON value (execution contexts, job parameters, audit data) with the values of
 * secret-looking keys masked and URL passwords removed from every string.
 */
export function redactJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactJson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    putData(
      out,
      key,
      looksSecretName(key) && entry !== null && typeof entry !== 'object'
        ? REDACTED
        : redactJson(entry, depth + 1),
    );
  }
  return out;
}

/** `name=value` anywhere in free text (a task DSL, a message): quoted values are taken whole. */
const INLINE_PAIR_RE =
  /([A-Za-z0-9_.-]*[A-Za-z0-9_])(\s*=\s*)('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|[^\s,&|<>;'"]+)/g;

/**
 * Free text with every `secretName=value` masked and URL passwords removed: a task definition's
 * DSL (`etl --db.password=x && load`), an audit record's details, a log message.
 */
export function redactText(text: string): string {
  return redactUrlCredentials(text).replace(INLINE_PAIR_RE, (m, name: string, eq: string) =>
    looksSecretName(name) ? `${name}${eq}${REDACTED}` : m,
  );
}
