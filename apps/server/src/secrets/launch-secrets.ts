import { ApiError, REDACTED, sanitizeArguments, sanitizeProperties } from '@batchyard/core';
import type { executions } from '@batchyard/db';
import { SecretSealer } from './sealer.js';

/**
 * A launch request's secrets, kept so a queued execution dispatched later (after a restart, or by
 * another replica) and a relaunch give the task the real values rather than `******`.
 *
 * The task_execution row keeps the masked `arguments` and `properties` (what every response, the
 * Spring tables and the audit trail show). When masking changed anything, the request as given is
 * also kept in `sealed_launch`, sealed with AES-256-GCM under `redaction.encryptionKey` (the
 * embedded database keeps a generated key beside its data directory). That column is never served,
 * logged or counted; only the launcher opens it, to build the pod.
 *
 * Without a key nothing can be sealed: the launch itself still gets the real values (it starts now,
 * or waits queued in this process's memory), but a relaunch of it — or its queued start after the
 * server restarted — is refused (409 naming the masked keys) instead of sending `******` to the task.
 */

export interface LaunchRequest {
  arguments: string[];
  properties: Record<string, string>;
}

interface Sealed {
  arguments: string[];
  properties: Record<string, string>;
}

export class LaunchSecrets {
  constructor(private readonly sealer: SecretSealer = SecretSealer.create({})) {}

  /** Opens a DSL property value sealed in a task definition (see sealer.ts); anything else unchanged. */
  openValue(value: string): string {
    return this.sealer.open(value);
  }

  /** What the row stores: the masked request, and the sealed original when masking changed it. */
  store(request: LaunchRequest): LaunchRequest & { sealedLaunch: string | null } {
    const masked = {
      arguments: sanitizeArguments(request.arguments),
      properties: sanitizeProperties(request.properties),
    };
    const changed =
      masked.arguments.some((a, i) => a !== request.arguments[i]) ||
      Object.entries(masked.properties).some(([k, v]) => v !== request.properties[k]);
    const sealedLaunch =
      changed && this.sealer.canSeal
        ? this.sealer.seal(JSON.stringify({ arguments: request.arguments, properties: request.properties }))
        : null;
    return { ...masked, sealedLaunch };
  }

  /**
   * For what must launch again later without anyone passing the values (a schedule's fires): like
   * `store`, but secrets that cannot be sealed (no key) are a 400 naming them instead of `******`
   * at every fire.
   */
  keep(request: LaunchRequest, path = 'body'): LaunchRequest & { sealedLaunch: string | null } {
    const kept = this.store(request);
    const hidden = kept.sealedLaunch ? [] : masked(kept);
    if (hidden.length > 0) {
      throw new ApiError(
        'INVALID_PROPERTY',
        `${path}: ${hidden.map((h) => h.name).join(', ')} look${hidden.length === 1 ? 's' : ''} secret, and no encryption key is configured to keep ${hidden.length === 1 ? 'it' : 'them'} sealed for later fires; pass secrets as Kubernetes Secret references, or set BATCHYARD_ENCRYPTION_KEY`,
        hidden.map((h) => ({
          path: `${path}.${h.path}`,
          message: `${h.name} looks secret: pass it as a Kubernetes Secret reference, or set BATCHYARD_ENCRYPTION_KEY`,
        })),
      );
    }
    return kept;
  }

  /**
   * The request a stored execution was launched with, secrets opened. Throws a 409 naming the masked
   * keys when they were not sealed (no key) or cannot be opened (the key changed).
   */
  open(
    row: Pick<executions.TaskExecution, 'id' | 'arguments' | 'properties' | 'sealedLaunch'>,
  ): LaunchRequest {
    return this.openStored(`execution ${row.id}`, row);
  }

  /** `open` for any stored launch (`what` names it in the 409: "execution 7", "schedule 'nightly'"). */
  openStored(
    what: string,
    row: { arguments: unknown; properties: unknown; sealedLaunch: string | null },
  ): LaunchRequest {
    const stored: LaunchRequest = {
      arguments: Array.isArray(row.arguments) ? row.arguments.map(String) : [],
      properties: stringMap(row.properties),
    };
    if (row.sealedLaunch) {
      try {
        const opened = JSON.parse(this.sealer.open(row.sealedLaunch)) as Sealed;
        return { arguments: opened.arguments.map(String), properties: stringMap(opened.properties) };
      } catch {
        throw unavailable(
          what,
          masked(stored),
          'cannot be opened with the configured encryption key (was it changed?)',
        );
      }
    }
    const hidden = masked(stored);
    if (hidden.length > 0)
      throw unavailable(what, hidden, 'were masked and no encryption key was configured to seal them');
    return stored;
  }
}

const stringMap = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]))
    : {};

interface Hidden {
  name: string;
  path: string;
}

/** The masked entries: `--db.password` (at `arguments[0]`) for an argument, the key for a property. */
function masked(request: LaunchRequest): Hidden[] {
  const args = request.arguments.flatMap((a, i) =>
    a.includes(REDACTED)
      ? [{ name: a.includes('=') ? a.slice(0, a.indexOf('=')) : `argument ${i}`, path: `arguments[${i}]` }]
      : [],
  );
  const props = Object.entries(request.properties).flatMap(([k, v]) =>
    v.includes(REDACTED) ? [{ name: k, path: `properties.${k}` }] : [],
  );
  return [...args, ...props];
}

function unavailable(what: string, hidden: Hidden[], why: string): ApiError {
  const list = hidden.map((h) => h.name).join(', ');
  return new ApiError(
    'CONFLICT',
    `${what} cannot be launched again: its secrets (${list}) ${why}; launch the task anew with the values, pass them as a Kubernetes Secret reference, or set BATCHYARD_ENCRYPTION_KEY`,
    hidden.map((h) => ({ path: h.path, message: `${h.name} ${why}` })),
  );
}
