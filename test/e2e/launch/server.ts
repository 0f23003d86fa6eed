import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../packages/db/src/embedded.js';

/** The real `batchyard server` binary as a child process, so a test can SIGKILL it. */
export interface ServerProcess {
  url: string;
  process: ChildProcess;
  /** What the server printed (stdout and stderr), kept rather than shown: expected failures stay quiet. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const MAIN = fileURLToPath(new URL('../../../apps/server/dist/main.js', import.meta.url));

/** `port`: when the test must know it before start (a URL the server hands to its pods). */
export async function startServerProcess(env: NodeJS.ProcessEnv, port?: number): Promise<ServerProcess> {
  port ??= await freePort();
  const child = spawn(process.execPath, [MAIN, 'server'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BATCHYARD_PORT: String(port),
      BATCHYARD_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const keep = (chunk: Buffer) => {
    printed = (printed + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const tail = () => (printed ? `; it printed:\n${printed.slice(-4000)}` : '');
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}${tail()}`);
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server did not become ready${tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: child,
    output: () => printed,
    kill: (signal = 'SIGKILL') =>
      new Promise((resolve) => {
        // Ended already (by a signal, exitCode stays null): there is no exit event to wait for.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
