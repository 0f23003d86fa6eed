import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';

/** The files a local execution leaves in its directory, so its outcome survives a server restart. */
export interface ExecutionFiles {
  dir: string;
  log: string;
  exit: string;
  pid: string;
  grace: string;
}

export function executionFiles(workDir: string, externalId: string): ExecutionFiles {
  const dir = join(workDir, externalId);
  return {
    dir,
    log: join(dir, 'output.log'),
    exit: join(dir, 'exit-code'),
    pid: join(dir, 'pid'),
    grace: join(dir, 'grace-seconds'),
  };
}

export async function readExitCode(files: ExecutionFiles): Promise<number | undefined> {
  if (!existsSync(files.exit)) return undefined;
  const n = Number.parseInt((await readFile(files.exit, 'utf8')).trim(), 10);
  return Number.isInteger(n) ? n : undefined;
}

export async function readPid(files: ExecutionFiles): Promise<number | undefined> {
  if (!existsSync(files.pid)) return undefined;
  const n = Number.parseInt((await readFile(files.pid, 'utf8')).trim(), 10);
  return Number.isInteger(n) ? n : undefined;
}

export async function readGraceSeconds(files: ExecutionFiles): Promise<number> {
  if (!existsSync(files.grace)) return 30;
  const n = Number.parseInt((await readFile(files.grace, 'utf8')).trim(), 10);
  return Number.isInteger(n) && n >= 0 ? n : 30;
}

/** When the process started: the pid file is written right after the spawn. */
export async function startedAt(files: ExecutionFiles): Promise<Date | undefined> {
  return existsSync(files.pid) ? (await stat(files.pid)).mtime : undefined;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The last `lines` lines of a file, reading only its end. */
export async function tailFile(path: string, lines: number, maxBytes = 4 * 1024 * 1024): Promise<string> {
  if (!existsSync(path)) return '';
  const { size } = await stat(path);
  const start = Math.max(0, size - maxBytes);
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    return all.length === 1 && all[0] === '' ? '' : `${all.slice(-lines).join('\n')}\n`;
  } finally {
    await fh.close();
  }
}

/**
 * Streams a growing file from `offset` until `done()` says the writer finished and everything
 * is read. Polling keeps it simple and portable (fs.watch misses events on some filesystems).
 */
export function followFile(
  path: string,
  offset: number,
  done: () => Promise<boolean>,
  pollMs = 200,
): Readable {
  const out = new PassThrough();
  let position = offset;
  let stopped = false;
  out.on('close', () => {
    stopped = true;
  });
  const pump = async (): Promise<void> => {
    while (!stopped) {
      const finished = await done();
      if (existsSync(path)) {
        const { size } = await stat(path);
        if (size > position) {
          const fh = await open(path, 'r');
          try {
            const buf = Buffer.alloc(size - position);
            await fh.read(buf, 0, buf.length, position);
            position = size;
            out.write(buf);
          } finally {
            await fh.close();
          }
          continue;
        }
      }
      if (finished) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    out.end();
  };
  pump().catch((err: unknown) => out.destroy(err as Error));
  return out;
}
