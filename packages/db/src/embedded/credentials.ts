import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * The embedded cluster's credentials, generated at its first start and kept in its data directory
 * (mode 0600, owned by the server's user: as root, PostgreSQL runs as `postgres` and never needs
 * to read it). The superuser creates the application role and runs migrations; the server and the
 * tasks it launches connect as the application role, which owns only Batchyard's database.
 */
export interface EmbeddedCredentials {
  superuser: { name: string; password: string };
  app: { name: string; password: string };
  /**
   * A cluster made before credentials were generated used the fixed `batchyard`/`batchyard`
   * superuser. Until the new password is set on the server, this is the password it still has.
   */
  legacySuperuserPassword?: string;
}

export const CREDENTIALS_FILE = 'batchyard-credentials.json';
export const APP_ROLE = 'batchyard_app';
/** What clusters created by earlier versions were initialised with. */
export const LEGACY_SUPERUSER = { name: 'batchyard', password: 'batchyard' } as const;

export const randomPassword = (): string => randomBytes(24).toString('base64url');

export function newCredentials(superuserPassword = randomPassword()): EmbeddedCredentials {
  return {
    superuser: { name: 'postgres', password: superuserPassword },
    app: { name: APP_ROLE, password: randomPassword() },
  };
}

/** A pre-credentials cluster: its superuser keeps its name and gets a random password. */
export function legacyMigrationCredentials(): EmbeddedCredentials {
  return {
    superuser: { name: LEGACY_SUPERUSER.name, password: randomPassword() },
    app: { name: APP_ROLE, password: randomPassword() },
    legacySuperuserPassword: LEGACY_SUPERUSER.password,
  };
}

export function credentialsPath(dataDir: string): string {
  return resolve(dataDir, CREDENTIALS_FILE);
}

function parse(text: string, path: string): EmbeddedCredentials {
  const value: unknown = JSON.parse(text);
  const ok = (v: unknown): v is { name: string; password: string } =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { name?: unknown }).name === 'string' &&
    typeof (v as { password?: unknown }).password === 'string';
  const o = value as Partial<EmbeddedCredentials> | null;
  if (!o || !ok(o.superuser) || !ok(o.app)) throw new Error(`${path} is not a Batchyard credentials file`);
  return {
    superuser: o.superuser,
    app: o.app,
    ...(typeof o.legacySuperuserPassword === 'string'
      ? { legacySuperuserPassword: o.legacySuperuserPassword }
      : {}),
  };
}

export async function readCredentials(dataDir: string): Promise<EmbeddedCredentials | undefined> {
  const path = credentialsPath(dataDir);
  if (!existsSync(path)) return undefined;
  return parse(await readFile(path, 'utf8'), path);
}

/** Atomic (write a temporary file, then rename) so a crash never leaves half a file. */
export async function writeCredentials(dataDir: string, credentials: EmbeddedCredentials): Promise<void> {
  const path = credentialsPath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600); // in case the umask or an earlier file widened it
  await rename(tmp, path);
}
