import {
  appendFileSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Leftovers from runs that died without cleaning up (a SIGKILLed vitest, a CI timeout). Each run
 * records its own pid and the pids it started in its state directory; the next run kills those
 * pids only if they still point into that directory (command line or working directory), so a
 * recycled pid belonging to someone else is never touched.
 */

export const STATE_PREFIX = 'batchyard-cluster-';

export function writeOwner(stateDir: string): void {
  writeFileSync(join(stateDir, 'owner.pid'), `${process.pid}\n`);
}

export function recordPid(stateDir: string, pid: number): void {
  appendFileSync(join(stateDir, 'pids'), `${pid}\n`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function belongsTo(pid: number, dir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(dir)) return true;
    return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
  } catch {
    return false;
  }
}

function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => Number.parseInt(l, 10))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

export function sweepStaleState(baseDir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(baseDir).filter((e) => e.startsWith(STATE_PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = join(baseDir, entry);
    const [owner] = readPids(join(dir, 'owner.pid'));
    if (owner !== undefined && alive(owner)) continue;
    // A directory another run has just created but not yet claimed.
    if (owner === undefined && Date.now() - mtimeMs(dir) < 60_000) continue;
    for (const pid of readPids(join(dir, 'pids'))) {
      if (belongsTo(pid, dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
