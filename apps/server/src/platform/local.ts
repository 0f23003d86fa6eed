import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { type ErrorDetail, springDatasource } from '@batchyard/core';
import { sanitizeManifest } from '@batchyard/k8s';
import type { Logger } from 'pino';
import { jarCommand } from './jar-command.js';
import {
  executionFiles,
  followFile,
  pidAlive,
  readExitCode,
  readGraceSeconds,
  readPid,
  startedAt,
  tailFile,
} from './local-files.js';
import type { ChangeRef, LaunchResult, LaunchSpec, LogOptions, Observation, Platform } from './types.js';

/**
 * The embedded default platform (like SCDF's local deployer): each execution is a child process
 * of the server's machine. A small shell wrapper records the exit code in the execution's
 * directory, so an execution that ends while the server is down is still caught up truthfully.
 */

const KNOWN_KEYS = [
  'entryPointStyle',
  'environmentVariables',
  'terminationGracePeriodSeconds',
  'workingDirectory',
] as const;

// Forwards SIGTERM/SIGINT to the task (trapped signals reset to default in the child, ignored
// ones would not), waits for its real exit status, and records it before exiting with it.
const WRAPPER = [
  '"$@" &',
  'child=$!',
  'trap \'kill -TERM "$child" 2>/dev/null\' TERM INT',
  'wait "$child"; code=$?',
  'while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done',
  'printf "%s\\n" "$code" > "$BATCHYARD_EXIT_FILE.tmp" && mv "$BATCHYARD_EXIT_FILE.tmp" "$BATCHYARD_EXIT_FILE"',
  'exit "$code"',
].join('\n');

/** Environment a task process inherits from the server: only the basics, never its secrets. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER', 'SHELL'];

export interface LocalPlatformOptions {
  name: string;
  workDir: string;
  maxConcurrent: number;
  defaults?: Record<string, string>;
  /** Job repository URL for workers (passed in the environment, never as an argument). */
  databaseUrl: string;
  /** Where `maven://` app URIs resolve (default ~/.m2/repository), and the java that runs jars. */
  mavenLocalRepository?: string;
  java?: string;
  logger: Logger;
  pollMs?: number;
}

export function parseEnvironmentVariables(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  // a=1,b="x,y" — commas inside quotes belong to the value
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|[^,]*)/g)) {
    env[m[1]!] = m[3] ?? m[4] ?? m[2] ?? '';
  }
  return env;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export class LocalPlatform implements Platform {
  readonly type = 'local' as const;
  readonly name: string;
  readonly maxConcurrent: number;
  readonly defaults: Readonly<Record<string, string>>;
  private readonly workDir: string;
  private readonly watched = new Map<string, number>();
  private listener: ((ref: ChangeRef) => void) | undefined;
  private poller: NodeJS.Timeout | undefined;

  constructor(private readonly options: LocalPlatformOptions) {
    this.name = options.name;
    this.maxConcurrent = options.maxConcurrent;
    this.defaults = options.defaults ?? {};
    this.workDir = resolve(options.workDir);
  }

  validateDeployerProperties(deployer: Record<string, string>, path: string): ErrorDetail[] {
    const problems: ErrorDetail[] = [];
    for (const [key, value] of Object.entries(deployer)) {
      if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
        problems.push({
          path: `${path}.${key}`,
          message: `unknown local deployer property; known: ${KNOWN_KEYS.join(', ')}`,
        });
      } else if (key === 'terminationGracePeriodSeconds' && !/^\d{1,5}$/.test(value)) {
        problems.push({ path: `${path}.${key}`, message: 'must be a whole number of seconds' });
      } else if (key === 'workingDirectory' && !isAbsolute(value)) {
        problems.push({ path: `${path}.${key}`, message: 'must be an absolute path' });
      } else if (key === 'workingDirectory' && !isDirectory(value)) {
        problems.push({ path: `${path}.${key}`, message: `${value} is not an existing directory` });
      }
    }
    return problems;
  }

  unrunnableApp(app: { name: string; command: string[] | null; uri?: string }): string | undefined {
    if (app.command && app.command.length > 0) return undefined;
    const jar = app.uri ? this.jarCommand(app.uri) : undefined;
    if (Array.isArray(jar)) return undefined;
    if (jar)
      return `app ${app.name}: ${app.uri} resolves to ${jar.missing}, which does not exist (nothing is downloaded)`;
    return `app ${app.name} has no local command; register it with "command" (or a file: or maven:// jar URI) to run it on the local platform '${this.name}'`;
  }

  /** `java -jar` for `file:`/`maven://` jar URIs (see jar-command.ts). */
  private jarCommand(uri: string) {
    return jarCommand(uri, {
      mavenLocalRepository: this.options.mavenLocalRepository,
      java: this.options.java,
    });
  }

  externalId(executionId: number): string {
    return `local-${executionId}`;
  }

  /** Where and how an execution runs: its files, its argv and its working directory. */
  private plan(spec: LaunchSpec) {
    const externalId = this.externalId(spec.executionId);
    const files = executionFiles(this.workDir, externalId);
    const jar = spec.command ? undefined : this.jarCommand(spec.uri);
    const command = spec.command ?? (Array.isArray(jar) ? jar : []);
    const cwd = spec.deployer.workingDirectory ?? files.dir;
    // Stored and shown: the real arguments reach the process only; the environment by name.
    const manifest = sanitizeManifest({
      kind: 'LocalProcess',
      command: [...command, ...spec.args],
      workingDirectory: cwd,
      environment: Object.keys(this.environment(spec, files.exit)).sort(),
      logFile: files.log,
    });
    return { externalId, files, command, cwd, manifest };
  }

  async manifest(spec: LaunchSpec): Promise<unknown> {
    return this.plan(spec).manifest;
  }

  async launch(spec: LaunchSpec): Promise<LaunchResult> {
    const { externalId, files, command, cwd, manifest } = this.plan(spec);
    // A first launch has no directory yet; only a retried one reads what the first left.
    if (existsSync(files.dir)) {
      const existingPid = await readPid(files);
      if ((existingPid !== undefined && pidAlive(existingPid)) || existsSync(files.exit)) {
        return { externalId, manifest }; // already launched: a retried launch starts nothing new
      }
    }
    const unrunnable = this.unrunnableApp({ name: spec.appName, command, uri: spec.uri });
    if (unrunnable) throw new Error(unrunnable); // prepare() refuses this first; kept for direct callers
    await mkdir(files.dir, { recursive: true });
    const out = openSync(files.log, 'a');
    try {
      const child = spawn('/bin/sh', ['-c', WRAPPER, 'batchyard-task', ...command, ...spec.args], {
        cwd,
        env: this.environment(spec, files.exit),
        stdio: ['ignore', out, out],
        detached: true,
      });
      // Spawn errors (a missing working directory, say) arrive as an event: wait for the outcome.
      await new Promise<void>((spawned, failed) => {
        child.once('spawn', spawned);
        child.once('error', (err) =>
          failed(new Error(`could not start ${command[0]} in ${cwd}: ${err.message}`)),
        );
      });
      child.on('error', (err) => this.options.logger.warn({ err, externalId }, 'task process error'));
      if (child.pid === undefined) throw new Error(`could not start ${command[0]}`);
      await Promise.all([
        writeFile(files.pid, `${child.pid}\n`),
        writeFile(files.grace, `${spec.deployer.terminationGracePeriodSeconds ?? '30'}\n`),
      ]);
      const pid = child.pid;
      this.watched.set(externalId, pid);
      child.on('exit', () => {
        this.watched.delete(externalId);
        this.listener?.({ externalId, executionId: spec.executionId });
      });
      child.unref();
      this.listener?.({ externalId, executionId: spec.executionId });
    } finally {
      closeSync(out);
    }
    return { externalId, manifest };
  }

  private environment(spec: LaunchSpec, exitFile: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const k of INHERITED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
    return {
      ...env,
      ...parseEnvironmentVariables(spec.deployer.environmentVariables ?? ''),
      ...spec.env,
      ...(spec.springContract ? this.springDatasource() : {}),
      ...(spec.taskApi ? { BATCHYARD_URL: spec.taskApi.url, BATCHYARD_TASK_TOKEN: spec.taskApi.token } : {}),
      BATCHYARD_TASK_EXECUTION_ID: String(spec.executionId),
      BATCHYARD_TASK_NAME: spec.taskName,
      BATCHYARD_DATABASE_URL: this.options.databaseUrl,
      BATCHYARD_EXIT_FILE: exitFile,
      BATCHYARD_GRACE_SECONDS: spec.deployer.terminationGracePeriodSeconds ?? '30',
    };
  }

  /** Spring Boot's datasource for the job repository (a local process's environment is private to it). */
  private springDatasource(): Record<string, string> {
    const ds = springDatasource(this.options.databaseUrl);
    return {
      SPRING_DATASOURCE_URL: ds.url,
      SPRING_DATASOURCE_USERNAME: ds.username,
      SPRING_DATASOURCE_PASSWORD: ds.password,
      SPRING_DATASOURCE_DRIVER_CLASS_NAME: ds.driverClassName,
    };
  }

  async observe(externalId: string): Promise<Observation | undefined> {
    const files = executionFiles(this.workDir, externalId);
    const executionId = Number(externalId.replace(/^local-/, ''));
    // Liveness first, exit code second: the wrapper writes the code before it exits, so a
    // process seen dead here has either left its code or was killed before it could.
    const pid = await readPid(files);
    const alive = pid !== undefined && pidAlive(pid);
    const code = await readExitCode(files);
    const startTime = await startedAt(files);
    if (code !== undefined) {
      return {
        externalId,
        executionId,
        startTime,
        status: code === 0 ? 'COMPLETE' : 'FAILED',
        exitCode: code,
        reason: code > 128 ? `Signal${code - 128}` : code === 0 ? 'Completed' : 'Error',
        endTime: new Date(),
      };
    }
    if (alive) {
      this.watched.set(externalId, pid);
      return { externalId, executionId, status: 'RUNNING', startTime };
    }
    if (pid !== undefined) {
      // The wrapper itself was killed (e.g. SIGKILL to the group): no exit code was recorded.
      return {
        externalId,
        executionId,
        startTime,
        status: 'FAILED',
        exitCode: 137,
        reason: 'Killed',
        endTime: new Date(),
      };
    }
    return undefined;
  }

  async stop(externalId: string): Promise<void> {
    const files = executionFiles(this.workDir, externalId);
    const pid = await readPid(files);
    if (pid === undefined || !pidAlive(pid)) return;
    const grace = (await readGraceSeconds(files)) * 1000;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + grace;
    while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (pidAlive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone between the check and the kill
      }
    }
  }

  async cleanup(externalId: string): Promise<void> {
    const files = executionFiles(this.workDir, externalId);
    const pid = await readPid(files);
    if (pid !== undefined && pidAlive(pid)) await this.stop(externalId);
    this.watched.delete(externalId);
    await rm(files.dir, { recursive: true, force: true });
  }

  async logs(externalId: string, options: LogOptions): Promise<Readable> {
    const files = executionFiles(this.workDir, externalId);
    const head = options.tail !== undefined ? await tailFile(files.log, options.tail) : undefined;
    if (!options.follow) {
      return Readable.from([head ?? (await tailFile(files.log, Number.MAX_SAFE_INTEGER))]);
    }
    const { size } = existsSync(files.log)
      ? await import('node:fs/promises').then((fs) => fs.stat(files.log))
      : { size: 0 };
    const start = head !== undefined ? size : 0;
    const stream = followFile(
      files.log,
      start,
      async () => existsSync(files.exit) || (await this.observe(externalId)) === undefined,
    );
    if (head) stream.unshift(head);
    return stream;
  }

  async watch(onChange: (ref: ChangeRef) => void): Promise<void> {
    this.listener = onChange;
    // Processes adopted after a restart have no 'exit' event: poll them.
    this.poller = setInterval(() => {
      for (const [externalId, pid] of this.watched) {
        if (!pidAlive(pid)) {
          this.watched.delete(externalId);
          onChange({ externalId });
        }
      }
    }, this.options.pollMs ?? 1000);
    this.poller.unref();
  }

  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.listener = undefined;
  }
}
