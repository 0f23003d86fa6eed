// Redaction of anything secret-looking in a manifest (or deployer properties, or arguments) before
// it is stored in the database, returned by the API or logged. Builders never put secret values in
// manifests on purpose; this catches what users put in plain env vars or arguments by mistake.

import {
  looksSecretName,
  masksEnvValue,
  putData as put,
  REDACTED,
  redactArgument,
  redactStringMap,
  redactUrlCredentials,
} from '@batchyard/core';

export { looksSecretName, REDACTED, redactUrlCredentials } from '@batchyard/core';

/** Redacts one command-line argument: `--password=x` loses its value, URLs lose their passwords. */
export const sanitizeArgument = redactArgument;

/** Redacts values of secret-looking keys in a flat map (deployer properties, env, job parameters). */
export const sanitizeStringMap = redactStringMap;

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
  if (isEnvEntry(value) && masksEnvValue(value.name as string, value.value as string)) {
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
