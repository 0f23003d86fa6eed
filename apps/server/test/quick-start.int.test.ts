import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import { CLI_MAIN } from './cli-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The README's quick-start block: the sh block after the `<!-- quick-start` marker, as written. */
async function quickStartCommands(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('<!-- quick-start');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !block?.[1]) throw new Error('README has no quick-start block');
  return block[1];
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

interface Shell {
  code: number | null;
  stdout: string;
  stderr: string;
}

const sh = (script: string, env: NodeJS.ProcessEnv): Promise<Shell> =>
  new Promise((resolve, reject) => {
    // -e: the first command that fails ends the run; -x: stderr says which command it was.
    const child = spawn('bash', ['-exc', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

// The README's quick start, as a new user runs it: `batchyard server` (what `npm start` runs after
// its build) on a fresh embedded-PostgreSQL data directory, then the documented commands, in order,
// through `npx batchyard`. Then again after a restart on the same data directory, as a user coming
// back the next day: the sample must run again, not refuse as already complete.
describe('the README quick start', { timeout: 600_000 }, () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let url: string;
  let serverLog = '';
  let env: NodeJS.ProcessEnv;

  const start = async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [CLI_MAIN, 'server'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        BATCHYARD_PORT: String(port),
        BATCHYARD_EMBEDDED_DB_DIR: join(dir, 'pgdata'),
        // The default account, with its work directory outside the repository.
        BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'default', type: 'local', workDir: join(dir, 'work') }]),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.setEncoding('utf8').on('data', (d: string) => {
      serverLog += d;
    });
    server.stderr?.setEncoding('utf8').on('data', (d: string) => {
      serverLog += d;
    });
    await until(
      () =>
        fetch(`${url}/health/ready`).then(
          (r) => r.status,
          () => 0,
        ),
      (status) => status === 200 || server?.exitCode !== null,
      'the server to be ready',
    );
    if (server.exitCode !== null) throw new Error(`server exited ${server.exitCode}:\n${serverLog}`);
    // What a person sees on a terminal (text output), at a fixed width and without colour.
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BATCHYARD_URL: url,
      BATCHYARD_OUTPUT: 'text',
      COLUMNS: '100',
      NO_COLOR: '1',
    };
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s || s.exitCode !== null) return;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGTERM');
    await exited;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchyard-quick-start-'));
    // As root, the embedded PostgreSQL runs as `postgres`, which must reach its data directory.
    await chmod(dir, 0o777);
  });
  afterAll(async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  });

  const runQuickStart = async () => {
    const r = await sh(await quickStartCommands(), env);
    // The sample job launched again with the same identifying parameters: the worker must give each
    // run a new run.id (Spring Batch's RunIdIncrementer), or its instance is already complete.
    if (r.code !== 0 && r.stdout.includes('JOB_INSTANCE_ALREADY_COMPLETE'))
      throw new Error(
        `the sample job refused to run again (JOB_INSTANCE_ALREADY_COMPLETE): it needs a run-id incrementer\n${r.stdout}`,
      );
    if (r.code !== 0)
      throw new Error(`quick start failed (${r.code}):\n${r.stderr}\n--- stdout ---\n${r.stdout}`);
    // executions wait: the run ended COMPLETE with exit 0; jobs show: the job and both steps completed.
    expect(r.stdout).toMatch(/^Execution \d+ {3}settlement-demo {3}✓ COMPLETE {3}exit 0$/m);
    expect(r.stdout).toMatch(/^Job execution \d+ {3}settlement {3}✓ COMPLETED {3}exit COMPLETED$/m);
    expect(r.stdout).toMatch(/^ *\d+ {3}prepare {3}✓ COMPLETED /m);
    expect(r.stdout).toMatch(/^ *\d+ {3}settle {4}✓ COMPLETED /m);
    return r;
  };

  it('runs as written on a fresh data directory', async () => {
    await start();
    expect(serverLog).toContain(`batchyard is listening on ${url}`);
    await runQuickStart();
  });

  it('runs again after a restart on the same data directory', async () => {
    await stop();
    await start();
    await runQuickStart();
  });
});
