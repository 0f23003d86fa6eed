import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Who holds a data directory. PostgreSQL writes its pid on the first line of `postmaster.pid`;
 * Batchyard writes the pid of the server that started it in `batchyard-server.pid`. A postmaster
 * whose parent is not that server (the server was SIGKILLed or OOM-killed, and init adopted the
 * postmaster) is an orphan: nobody will ever stop it, so the next server shuts it down and
 * starts its own.
 */

export const OWNER_FILE = 'batchyard-server.pid';

export type Holder =
  | { kind: 'free' }
  | { kind: 'owned'; postmasterPid: number; ownerPid: number }
  | { kind: 'orphan'; postmasterPid: number; parentPid: number | undefined }
  /** A pid file whose pid is alive but is not a postgres process (pid reuse after a crash). */
  | { kind: 'stale-pid-file'; pid: number };

/** Alive and not a zombie (an exited child nobody reaped yet still answers kill(pid, 0)). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // Without /proc, kill(pid, 0) is all there is; with it, an unreadable entry means it just went.
    return !existsSync('/proc/self/stat');
  }
}

/** The parent pid from /proc (Linux); undefined where /proc is not available. */
export async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number.parseInt(fields[1] ?? '', 10);
  return Number.isInteger(ppid) ? ppid : undefined;
}

async function isPostgres(pid: number): Promise<boolean | undefined> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmdline === undefined) return undefined;
  return /(^|\/)postgres(\0|$)/.test(cmdline.split('\0')[0] ?? '') || cmdline.includes('postgres');
}

async function readPid(path: string): Promise<number | undefined> {
  if (!existsSync(path)) return undefined;
  const pid = Number.parseInt((await readFile(path, 'utf8')).split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export async function holderOf(dataDir: string): Promise<Holder> {
  const postmasterPid = await readPid(resolve(dataDir, 'postmaster.pid'));
  if (postmasterPid === undefined || !pidAlive(postmasterPid)) return { kind: 'free' };
  if ((await isPostgres(postmasterPid)) === false) return { kind: 'stale-pid-file', pid: postmasterPid };
  const ownerPid = await readPid(resolve(dataDir, OWNER_FILE));
  const parent = await parentPid(postmasterPid);
  // Without /proc the parent is unknown: treat the directory as owned (refuse) rather than guess.
  if (parent === undefined) return { kind: 'owned', postmasterPid, ownerPid: ownerPid ?? -1 };
  if (ownerPid !== undefined && parent === ownerPid && pidAlive(ownerPid)) {
    return { kind: 'owned', postmasterPid, ownerPid };
  }
  return { kind: 'orphan', postmasterPid, parentPid: parent };
}

export async function recordOwner(dataDir: string): Promise<void> {
  await writeFile(resolve(dataDir, OWNER_FILE), `${process.pid}\n`, { mode: 0o644 });
}

export async function removeStalePidFile(dataDir: string): Promise<void> {
  await rm(resolve(dataDir, 'postmaster.pid'), { force: true });
}

/**
 * Shuts an orphaned postmaster down the way `pg_ctl stop -m fast` does (SIGINT: roll back open
 * transactions, checkpoint, exit) and waits for it to go; SIGQUIT (immediate: crash recovery on
 * the next start, no committed data lost) only if it has not gone after `timeoutMs`.
 */
export async function shutDownOrphan(pid: number, timeoutMs = 30_000): Promise<'fast' | 'immediate'> {
  const gone = async (ms: number): Promise<boolean> => {
    for (let waited = 0; waited < ms; waited += 50) {
      if (!pidAlive(pid)) return true;
      await sleep(50);
    }
    return !pidAlive(pid);
  };
  process.kill(pid, 'SIGINT');
  if (await gone(timeoutMs)) return 'fast';
  process.kill(pid, 'SIGQUIT');
  if (await gone(timeoutMs)) return 'immediate';
  throw new Error(`the orphaned PostgreSQL (pid ${pid}) did not stop`);
}
