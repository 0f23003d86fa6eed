import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { holderOf, OWNER_FILE, parentPid, pidAlive } from './postmaster.js';

// The real postmaster cases (owned, orphaned by a SIGKILLed server) are in embedded.int.test.ts and
// apps/server/test/embedded-survival.int.test.ts; these are the edges a crash leaves behind.
describe('who holds an embedded data directory', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const dataDir = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'batchyard-holder-'));
    dirs.push(d);
    return d;
  };

  it('free: no postmaster.pid, or one naming a process that is gone', async () => {
    const dir = await dataDir();
    expect(await holderOf(dir)).toEqual({ kind: 'free' });
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid ?? 0;
    await new Promise((r) => child.once('exit', r));
    await writeFile(join(dir, 'postmaster.pid'), `${pid}\n${dir}\n`);
    expect(await holderOf(dir)).toEqual({ kind: 'free' });
  });

  it('a stale pid file whose pid now belongs to something that is not postgres (pid reuse)', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'postmaster.pid'), `${process.pid}\n${dir}\n`);
    expect(await holderOf(dir)).toEqual({ kind: 'stale-pid-file', pid: process.pid });
  });

  it('reads the parent pid from /proc even when the command name has spaces and parentheses', async () => {
    // process.title sets the kernel's comm: /proc/<pid>/stat then reads "pid (x) (y z) S ppid …".
    const child = spawn(process.execPath, ['-e', "process.title = 'x) (y z'; setInterval(() => {}, 1000)"]);
    try {
      const pid = child.pid ?? 0;
      const { readFile } = await import('node:fs/promises');
      for (;;) {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        if (stat.includes('(x) (y z)')) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await parentPid(pid)).toBe(process.pid);
      expect(pidAlive(pid)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    expect(OWNER_FILE).toBe('batchyard-server.pid');
  });
});
