import { constants } from 'node:os';
import { type Managed, spawnManaged, stopManaged } from '../processes.js';
import type { ContainerLog } from './logs.js';
import type { MemorySampler } from './memory.js';

/**
 * One container instance = one local process group. Exit codes follow container runtimes:
 * 128 + signal number when killed by a signal, 137 with reason OOMKilled when the memory limit
 * was exceeded.
 */

export interface ContainerLaunch {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  memoryLimitBytes?: number;
  log: ContainerLog;
}

export interface ContainerExit {
  exitCode: number;
  reason: 'Completed' | 'Error' | 'OOMKilled';
  message?: string;
  startedAt: string;
  finishedAt: string;
}

export class ContainerProcess {
  readonly startedAt: string;
  readonly pid: number | undefined;
  readonly exited: Promise<ContainerExit>;
  private readonly managed: Managed;
  private oomKilled = false;

  constructor(launch: ContainerLaunch, memory: MemorySampler) {
    this.startedAt = new Date().toISOString();
    const [command, ...args] = launch.argv;
    if (command === undefined)
      throw new Error('container has no command: neither the pod nor the image gives one');
    this.managed = spawnManaged(command, { args, env: launch.env, cwd: launch.cwd });
    this.pid = this.managed.child.pid;
    this.managed.child.stdout?.on('data', (c: Buffer) => launch.log.write('stdout', c));
    this.managed.child.stderr?.on('data', (c: Buffer) => launch.log.write('stderr', c));
    let spawnError: Error | undefined;
    this.managed.child.once('error', (err) => {
      spawnError = err;
    });

    let unwatch = (): void => {};
    if (launch.memoryLimitBytes !== undefined && this.pid !== undefined) {
      const pid = this.pid;
      unwatch = memory.add({
        pgid: pid,
        limitBytes: launch.memoryLimitBytes,
        onExceeded: () => {
          this.oomKilled = true;
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // already gone
          }
        },
      });
    }

    this.exited = this.managed.exited.then(async ({ code, signal }) => {
      unwatch();
      // Output pipes may still hold data after 'exit'; wait for them to drain, but not forever:
      // a background child of a shell can keep them open.
      const drained = Promise.all(
        [this.managed.child.stdout, this.managed.child.stderr].map(
          (s) => new Promise<void>((r) => (s && !s.readableEnded ? s.once('close', () => r()) : r())),
        ),
      );
      await Promise.race([drained, new Promise((r) => setTimeout(r, 2000).unref())]);
      if (spawnError) launch.log.write('stderr', `${spawnError.message}\n`);
      launch.log.close();
      const finishedAt = new Date().toISOString();
      if (spawnError) {
        return {
          exitCode: 127,
          reason: 'Error',
          message: `failed to start ${command}: ${spawnError.message}`,
          startedAt: this.startedAt,
          finishedAt,
        };
      }
      if (this.oomKilled)
        return { exitCode: 137, reason: 'OOMKilled', startedAt: this.startedAt, finishedAt };
      const exitCode = signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0);
      return {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt: this.startedAt,
        finishedAt,
      };
    });
  }

  /** SIGTERM, then SIGKILL after the grace period (pod deletion). */
  async stop(graceMs: number): Promise<ContainerExit> {
    await stopManaged(this.managed, graceMs);
    return this.exited;
  }
}
