import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import { startTestServer, type TestServer } from './harness.js';

// The real `batchyard` binary (built by `npm run build`), run as a child process against a real
// server on the local platform: what a shell user types, and what they see.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));
const SAMPLE_MAIN = fileURLToPath(new URL('../../sample-task/dist/main.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Execution {
  id: number;
  taskName: string;
  status: string;
  exitCode: number | null;
  arguments: string[];
  properties: Record<string, string>;
  platformName: string | null;
  manifest: { command: string[] } | null;
  jobExecutionIds: number[];
}

interface Schedule {
  name: string;
  taskDefinitionName: string;
  cron: string;
  timeZone: string | null;
  arguments: string[];
  properties: Record<string, string>;
  suspend: boolean;
}

interface JobExecution {
  id: number;
  jobName: string;
  status: string;
  taskExecutionId: number | null;
  steps?: { stepName: string }[];
}

interface Page<T> {
  items: T[];
  page: { size: number; next: string | null };
}

const TERMINAL = ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'];

// Each command is a fresh Node process that loads the whole server bundle (seconds on a busy
// machine), so the tests get room; every wait is an `until`, never a fixed sleep.
describe('the batchyard CLI', { timeout: 300_000 }, () => {
  let s: TestServer;

  const cli = (...args: string[]): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [MAIN, ...args], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, BATCHYARD_URL: s.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
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

  /** Runs a command that must succeed and parses what it printed. */
  const json = async <T>(...args: string[]): Promise<T> => {
    const r = await cli(...args);
    if (r.code !== 0) throw new Error(`batchyard ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };

  const show = (id: number) => json<Execution>('executions', 'show', String(id));
  const ended = (id: number) =>
    until(
      () => show(id),
      (e) => TERMINAL.includes(e.status),
      `execution ${id} to end`,
    );
  /** RUNNING and its SIGTERM handler installed (it has printed its first line). */
  const started = async (id: number) => {
    await until(
      () => show(id),
      (e) => e.status === 'RUNNING',
      `execution ${id} to run`,
    );
    await until(
      () => cli('executions', 'logs', String(id)),
      (r) => r.stdout.includes('started'),
      `execution ${id} to print`,
    );
  };

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-cli-'));
    s = await startTestServer({
      BATCHYARD_PLATFORMS: JSON.stringify([
        { name: 'local', type: 'local', workDir: work, maxConcurrent: 4 },
      ]),
    });
  });
  afterAll(() => s.close());

  it('registers an app and creates a task definition', async () => {
    const app = await json<{ name: string; type: string; version: string; defaultVersion: boolean }>(
      'apps',
      'register',
      'task',
      'scripted',
      '1.0',
      'local:scripted',
      '--command',
      `node ${SCRIPT}`,
      '--no-spring-contract',
    );
    expect(app).toMatchObject({ name: 'scripted', type: 'task', springContract: false });
    const def = await json<{ name: string; definition: string }>(
      'tasks',
      'create',
      'hello',
      'scripted --print=hello-world',
    );
    expect(def).toMatchObject({ name: 'hello', definition: 'scripted --print=hello-world' });
    const list = await json<Page<{ name: string }>>('tasks', 'list', '--search', 'hell');
    expect(list.items.map((d) => d.name)).toEqual(['hello']);
  });

  let completed: Execution;

  it('launches with --arg and --prop, shows the execution to COMPLETE and prints its log text', async () => {
    const launched = await json<Execution>(
      'tasks',
      'launch',
      'hello',
      '--arg',
      '--extra=1',
      '--arg=--more=two words',
      '--prop',
      'app.scripted.mode=fast',
      '--prop',
      'deployer.scripted.environmentVariables=GREETING=hi',
      '--platform',
      'local',
    );
    expect(launched).toMatchObject({
      taskName: 'hello',
      arguments: ['--extra=1', '--more=two words'],
      properties: { 'app.scripted.mode': 'fast', 'deployer.scripted.environmentVariables': 'GREETING=hi' },
      platformName: 'local',
    });
    completed = await ended(launched.id);
    expect(completed).toMatchObject({ id: launched.id, status: 'COMPLETE', exitCode: 0 });
    expect(completed.manifest?.command.slice(2)).toEqual([
      '--print=hello-world',
      '--mode=fast',
      '--extra=1',
      '--more=two words',
    ]);

    const logs = await cli('executions', 'logs', String(launched.id));
    expect(logs.code).toBe(0);
    // The text as the task printed it, not a JSON string.
    expect(logs.stdout).toContain(`task hello execution ${launched.id} started\n`);
    expect(logs.stdout).toContain('hello-world\n');
    const tail = await cli('executions', 'logs', String(launched.id), '--tail', '1');
    expect(tail).toMatchObject({ code: 0, stdout: 'done\n' });
  });

  it('lists executions by task and status, relaunches one', async () => {
    const relaunched = await json<Execution>('executions', 'relaunch', String(completed.id));
    expect(relaunched.id).not.toBe(completed.id);
    expect(relaunched).toMatchObject({ taskName: 'hello', arguments: completed.arguments });
    await ended(relaunched.id);

    const all = await json<Page<Execution>>('executions', 'list', '--task', 'hello');
    expect(all.items.map((e) => e.id)).toEqual([relaunched.id, completed.id]);
    const one = await json<Page<Execution>>('executions', 'list', '--task', 'hello', '--size', '1');
    expect(one.items.map((e) => e.id)).toEqual([relaunched.id]);
    expect(one.page.next).not.toBeNull();
    const next = await json<Page<Execution>>(
      'executions',
      'list',
      '--task',
      'hello',
      '--size',
      '1',
      '--cursor',
      one.page.next ?? '',
    );
    expect(next.items.map((e) => e.id)).toEqual([completed.id]);
    const failed = await json<Page<Execution>>('executions', 'list', '--task', 'hello', '--status', 'FAILED');
    expect(failed.items).toEqual([]);
    const other = await json<Page<Execution>>('executions', 'list', '--task', 'nothing-by-this-name');
    expect(other.items).toEqual([]);
  });

  it('stops long runs, one id or several comma-separated', async () => {
    const launch = () => json<Execution>('tasks', 'launch', 'hello', '--arg=--sleep=600000');
    const [a, b, c] = [await launch(), await launch(), await launch()];
    if (!a || !b || !c) throw new Error('three launches');
    await Promise.all([started(a.id), started(b.id), started(c.id)]);

    const one = await json<Execution[]>('executions', 'stop', String(a.id));
    expect(one.map((e) => [e.id, e.status])).toEqual([[a.id, 'STOPPING']]);
    const two = await json<Execution[]>('executions', 'stop', `${b.id},${c.id}`);
    expect(two.map((e) => e.id).sort()).toEqual([b.id, c.id].sort());
    for (const e of [a, b, c]) {
      expect(await ended(e.id)).toMatchObject({ status: 'STOPPED', exitCode: 143 });
    }
    const logs = await cli('executions', 'logs', String(a.id));
    expect(logs.stdout).toContain('received SIGTERM');
  });

  it('creates, lists, shows, suspends, resumes and deletes schedules', async () => {
    const created = await json<Schedule>(
      'schedules',
      'create',
      'nightly',
      'hello',
      '0 3 * * *',
      '--time-zone',
      'Europe/Berlin',
      '--arg=--print=scheduled',
      '--prop',
      'app.scripted.mode=slow',
    );
    expect(created).toMatchObject({
      name: 'nightly',
      taskDefinitionName: 'hello',
      cron: '0 3 * * *',
      timeZone: 'Europe/Berlin',
      arguments: ['--print=scheduled'],
      properties: { 'app.scripted.mode': 'slow' },
      suspend: false,
    });
    await json<Schedule>('schedules', 'create', 'weekly', 'hello', '0 4 * * MON');

    const list = await json<Page<Schedule>>('schedules', 'list', '--definition', 'hello');
    expect(list.items.map((x) => x.name)).toEqual(['nightly', 'weekly']);
    const none = await json<Page<Schedule>>('schedules', 'list', '--definition', 'nothing-by-this-name');
    expect(none.items).toEqual([]);

    const detail = await json<Schedule & { nextFireTimes: string[] }>('schedules', 'show', 'nightly');
    expect(detail).toMatchObject({ name: 'nightly', cron: '0 3 * * *' });
    expect(detail.nextFireTimes).toHaveLength(5);

    expect(await json<Schedule>('schedules', 'suspend', 'nightly')).toMatchObject({ suspend: true });
    expect(await json<Schedule>('schedules', 'show', 'nightly')).toMatchObject({ suspend: true });
    expect(await json<Schedule>('schedules', 'resume', 'nightly')).toMatchObject({ suspend: false });

    // 204: nothing to print.
    expect(await cli('schedules', 'delete', 'weekly')).toMatchObject({ code: 0, stdout: '' });
    const gone = await cli('schedules', 'show', 'weekly');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('404');
    expect(gone.stderr).toContain('weekly');
  });

  it('refuses to destroy a task with schedules, then destroys both with --with-schedules', async () => {
    const refused = await cli('tasks', 'destroy', 'hello');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('409');
    expect(refused.stderr).toContain('nightly');
    // The hint names the CLI's flag, not the REST query parameter.
    expect(refused.stderr).toContain('--with-schedules');
    expect(refused.stderr).not.toContain('?schedules=delete');
    expect((await cli('tasks', 'show', 'hello')).code).toBe(0);

    expect(await cli('tasks', 'destroy', 'hello', '--with-schedules')).toMatchObject({ code: 0, stdout: '' });
    const def = await cli('tasks', 'show', 'hello');
    expect(def.code).toBe(1);
    expect(def.stderr).toContain('404');
    expect((await cli('schedules', 'show', 'nightly')).stderr).toContain('404');
  });

  it('shows job executions and sends the operator actions to the right routes', async () => {
    const empty = await json<Page<JobExecution>>('jobs', 'list');
    expect(empty.items).toEqual([]);
    const missing = await cli('jobs', 'show', '999999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("404 job execution '999999' does not exist");

    await json(
      'apps',
      'register',
      'task',
      'settle',
      '1.0',
      'local:settle',
      '--command',
      `node ${SAMPLE_MAIN}`,
    );
    await json('tasks', 'create', 'settle-demo', 'settle');
    const launched = await json<Execution>(
      'tasks',
      'launch',
      'settle-demo',
      '--arg',
      'rows=50',
      '--arg',
      'seed=7',
    );
    const run = await ended(launched.id);
    expect(run.status).toBe('COMPLETE');
    const [jobId] = run.jobExecutionIds;
    if (jobId === undefined) throw new Error(`no job execution: ${JSON.stringify(run)}`);

    const list = await json<Page<JobExecution>>(
      'jobs',
      'list',
      '--name',
      'settlement',
      '--status',
      'COMPLETED',
    );
    expect(list.items.map((j) => j.id)).toEqual([jobId]);
    expect((await json<Page<JobExecution>>('jobs', 'list', '--status', 'FAILED')).items).toEqual([]);
    const job = await json<JobExecution>('jobs', 'show', String(jobId));
    expect(job).toMatchObject({
      id: jobId,
      jobName: 'settlement',
      status: 'COMPLETED',
      taskExecutionId: run.id,
    });
    expect(job.steps?.length).toBeGreaterThan(0);

    // A COMPLETED execution can be neither stopped, abandoned nor restarted: each verb reaches its
    // route (a wrong path or method would be a 404 'no route') and is refused with the reason.
    for (const verb of ['stop', 'abandon', 'restart']) {
      const r = await cli('jobs', verb, String(jobId));
      expect(r.code, verb).toBe(1);
      expect(r.stderr, verb).toContain(`409 job execution ${jobId}`);
    }
  });

  it('exits 2 on usage errors without calling the server', async () => {
    const noValue = await cli('tasks', 'launch', 'hello', '--prop', 'novalue');
    expect(noValue).toMatchObject({ code: 2, stdout: '' });
    expect(noValue.stderr).toContain("--prop 'novalue' is not key=value");

    const noId = await cli('executions', 'show');
    expect(noId.code).toBe(2);
    expect(noId.stderr).toContain('missing <id>');
    expect(noId.stderr).toContain('Usage: batchyard executions show <id>');

    // The field, what it expects, and how the command is used: once, on stderr.
    const noName = await cli('tasks', 'launch');
    expect(noName).toMatchObject({ code: 2, stdout: '' });
    expect(noName.stderr).toBe(
      'batchyard: missing <name>: the task definition to launch (batchyard tasks list)\n\n' +
        'Usage: batchyard tasks launch <name> [options]\n' +
        "Run 'batchyard tasks launch --help' for its options and examples.\n",
    );

    const notANumber = await cli('executions', 'list', '--size', 'abc');
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toContain("--size: expected a number, got 'abc'");
    const idNotANumber = await cli('executions', 'show', 'abc');
    expect(idNotANumber).toMatchObject({ code: 2, stdout: '' });
    expect(idNotANumber.stderr).toContain("<id>: expected a number, got 'abc'");

    const pipe = await cli('apps', 'register', 'task', 'x', '1.0', 'local:x', '--command', 'echo hi | cat');
    expect(pipe.code).toBe(2);
    expect(pipe.stderr).toContain("run without a shell, so a pipe ('|') is refused");

    const unknownOption = await cli('tasks', 'launch', 'hello', '--platfrom', 'local');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option --platfrom for 'tasks launch'; it takes ");
    expect(unknownOption.stderr).toContain('--platform');

    const missingValue = await cli('executions', 'logs', '1', '--tail');
    expect(missingValue.code).toBe(2);
    expect(missingValue.stderr).toContain('--tail needs a value');

    const unknownCommand = await cli('executions', 'frobnicate');
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain(
      "unknown command 'executions frobnicate'; 'executions' takes list, show,",
    );
  });

  it("exits 1 with the server's validation error, naming the field", async () => {
    const cron = await cli('schedules', 'create', 'bad', 'settle-demo', '61 * * * *');
    expect(cron.code).toBe(1);
    expect(cron.stderr).toMatch(/^batchyard: 400 /);
    expect(cron.stderr).toContain('body.cron:');
    expect(cron.stderr).toContain('61');

    const size = await cli('executions', 'list', '--size', '0');
    expect(size.code).toBe(1);
    expect(size.stderr).toContain('  query.size: ');
    // A validation error's message is its details joined: said once, not twice.
    expect(size.stderr.match(/query\.size/g)).toHaveLength(1);

    const status = await cli('executions', 'list', '--status', 'DONE');
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('  query.status: ');

    const id = await cli('executions', 'stop', '1,x');
    expect(id.code).toBe(1);
    expect(id.stderr).toContain('params.ids:');

    const unknownTask = await cli('tasks', 'launch', 'no-such-task');
    expect(unknownTask.code).toBe(1);
    expect(unknownTask.stderr).toContain('no-such-task');
  });
});
