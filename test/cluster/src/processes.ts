import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';

/**
 * Process helpers shared by the control plane and the node agent. Every process we start is
 * recorded so that an exit handler can kill it even when a test run fails half-way.
 */

const live = new Set<ChildProcess>();
let handlersInstalled = false;

/** `setpriv --pdeathsig KILL` makes the kernel kill a child when we die, even on SIGKILL. */
const pdeathsigWrapper: string[] = (() => {
  try {
    execFileSync('setpriv', ['--help'], { stdio: 'ignore' });
    return ['setpriv', '--pdeathsig', 'KILL', '--'];
  } catch {
    return [];
  }
})();

function killGroupOrPid(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Children are started in their own process group, so shell scripts' children die too.
    process.kill(-child.pid, signal);
  } catch {
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
  }
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL everything that is still alive.
  process.on('exit', () => {
    for (const child of live) killGroupOrPid(child, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      for (const child of live) killGroupOrPid(child, 'SIGKILL');
      // Only exit when nobody else (vitest, the CLI) handles the signal: they run their teardown.
      if (process.listenerCount(signal) === 1) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    };
    process.on(signal, onSignal);
  }
}

export interface SpawnOptions {
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** File receiving stdout and stderr; omitted → caller reads the pipes. */
  logFile?: string;
}

export interface Managed {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log?: WriteStream;
}

/** Start a process in its own process group, tied to our lifetime. */
export function spawnManaged(command: string, opts: SpawnOptions): Managed {
  installExitHandlers();
  const [cmd, ...prefix] = pdeathsigWrapper.length > 0 ? pdeathsigWrapper : [command];
  const args = pdeathsigWrapper.length > 0 ? [...prefix, command, ...opts.args] : opts.args;
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const child = spawn(cmd!, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (log) {
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
  }
  live.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => {
      live.delete(child);
      resolve({ code: 127, signal: null });
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  // Detached children would otherwise keep our event loop alive.
  child.unref();
  return { child, exited, log };
}

/** SIGTERM, wait up to graceMs, then SIGKILL; resolves once the process is gone. */
export async function stopManaged(m: Managed, graceMs = 5000): Promise<void> {
  if (m.child.exitCode !== null || m.child.signalCode !== null) return;
  killGroupOrPid(m.child, 'SIGTERM');
  const timer = setTimeout(() => killGroupOrPid(m.child, 'SIGKILL'), graceMs);
  await m.exited;
  clearTimeout(timer);
  // Make sure nothing of the group lingers (e.g. a shell's background children).
  killGroupOrPid(m.child, 'SIGKILL');
  m.log?.end();
}

/** Ask the kernel for a free loopback port. Small race with other binders, acceptable for tests. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}

export function requireExecutable(path: string, hint: string): void {
  if (!existsSync(path)) throw new Error(`${path} not found. ${hint}`);
}

export interface GetOptions {
  /** PEM file of the CA that signed the server; omitted → the certificate is not verified. */
  caFile?: string;
  token?: string;
  timeoutMs?: number;
}

/** Minimal HTTPS GET for health probes (global fetch cannot take a custom CA without undici). */
export function httpsGet(url: string, opts: GetOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        ca: opts.caFile ? readFileSync(opts.caFile) : undefined,
        rejectUnauthorized: opts.caFile !== undefined,
        headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
        timeout: opts.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout on ${url}`)));
    req.on('error', reject);
    req.end();
  });
}
