// Redaction of anything secret-looking in a manifest (or deployer properties, or arguments) before
// it is stored in the database, returned by the API or logged. Builders never put secret values in
// manifests on purpose; this catches what users put in plain env vars or arguments by mistake.

export const REDACTED = '******';

/** Names that usually hold secrets: FOO_PASSWORD, db.secret, apiToken, AWS_SECRET_ACCESS_KEY, API_KEY. */
const SECRET_NAME_RE =
  /passw(or)?d|passphrase|(^|[-_.])pass($|[-_.])|secret|token|credential|(private|access|api)[-_.]?key|(^|[-_.])key($|[-_.])/i;

/** `scheme://user:password@host` → the password part. */
const URL_CREDENTIALS_RE = /([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]*):([^\s/@]+)@/gi;

/** `--db-password=x` or `-Dapi.token=x` style arguments. */
const SECRET_ARG_RE = /^(--?[^=\s]+)=(.*)$/s;

export function looksSecretName(name: string): boolean {
  return SECRET_NAME_RE.test(name);
}

/** Replaces passwords in URLs with credentials; the user name stays so the URL is still recognisable. */
export function redactUrlCredentials(text: string): string {
  return text.replace(
    URL_CREDENTIALS_RE,
    (_match, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`,
  );
}

/** Redacts one command-line argument: `--password=x` loses its value, URLs lose their passwords. */
export function sanitizeArgument(arg: string): string {
  const match = SECRET_ARG_RE.exec(arg);
  if (match && looksSecretName(match[1]!)) return `${match[1]}=${REDACTED}`;
  return redactUrlCredentials(arg);
}

/** Redacts values of secret-looking keys in a flat map (deployer properties, env, job parameters). */
export function sanitizeStringMap(map: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    put(out, key, looksSecretName(key) ? REDACTED : sanitizeArgument(value));
  }
  return out;
}

/** Like `out[key] = value`, but a `__proto__` key stays data instead of replacing the prototype. */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{name, value}` with a string value: a container env entry (valueFrom references are harmless). */
function isEnvEntry(value: Record<string, unknown>): boolean {
  return typeof value.name === 'string' && typeof value.value === 'string';
}

function walk(value: unknown, parentKey: string | undefined): unknown {
  if (typeof value === 'string') {
    return parentKey === 'args' || parentKey === 'command'
      ? sanitizeArgument(value)
      : redactUrlCredentials(value);
  }
  if (Array.isArray(value)) return value.map((item) => walk(item, parentKey));
  if (!isRecord(value)) return value;
  if (isEnvEntry(value) && looksSecretName(value.name as string)) {
    return { ...value, value: REDACTED };
  }
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    // Annotations and labels are free-form maps: judge their values by their keys too.
    if (
      (parentKey === 'annotations' || parentKey === 'data' || parentKey === 'stringData') &&
      typeof entry === 'string' &&
      looksSecretName(key)
    ) {
      put(out, key, REDACTED);
    } else {
      put(out, key, walk(entry, key));
    }
  }
  return out;
}

/**
 * A deep copy of `manifest` with secret-looking values redacted: env values whose names look like
 * passwords, secrets, tokens, credentials or keys; `--secret=...` arguments; passwords inside URLs
 * anywhere. Object structure is kept so the result is still a readable manifest.
 */
export function sanitizeManifest<T>(manifest: T): T {
  return walk(manifest, undefined) as T;
}
