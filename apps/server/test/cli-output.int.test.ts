import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import { alignmentProblems, CLI_MAIN, normalise, runCli, startCli } from './cli-process.js';
import { startTestServer, type TestServer } from './harness.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));
const SAMPLE_MAIN = fileURLToPath(new URL('../../sample-task/dist/main.js', import.meta.url));
const ZSH_DRIVER = fileURLToPath(new URL('./fixtures/zsh-complete.zsh', import.meta.url));

interface Execution {
  id: number;
  status: string;
  exitCode: number | null;
  jobExecutionIds: number[];
}

/** The lines of a table printed from its header on, up to a blank line. */
const tableAt = (text: string, header: string): string[] => {
  const lines = text.split('\n');
  const from = lines.findIndex((l) => l.startsWith(header));
  const rest = lines.slice(from);
  const end = rest.indexOf('');
  return end < 0 ? rest : rest.slice(0, end);
};

// What a person sees (tables, summaries, progress, exit codes) and what a script gets (JSON),
// from the real binary against a real server on the local platform.
describe('the batchyard CLI, human and machine output', { timeout: 300_000 }, () => {
  let s: TestServer;
  const seen: { path: string; authorization?: string; idempotencyKey?: string; method: string }[] = [];
  const cli = (...args: string[]) => runCli(s.url, args);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    if (r.code !== 0) throw new Error(`batchyard ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r;
  };
  const json = async <T>(...args: string[]) => JSON.parse((await ok(...args)).stdout) as T;
  const show = (id: number) => json<Execution>('executions', 'show', String(id));

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-cli-out-'));
    s = await startTestServer(
      {
        BATCHYARD_PLATFORMS: JSON.stringify([
          { name: 'default', type: 'local', workDir: work, maxConcurrent: 4 },
        ]),
      },
      {
        beforeListen: (app) =>
          app.addHook('onRequest', async (req) => {
            const h = req.headers;
            seen.push({
              method: req.method,
              path: req.url,
              authorization: h.authorization,
              idempotencyKey: h['idempotency-key'] as string | undefined,
            });
          }),
      },
    );
    await ok('apps', 'register', 'task', 'scripted', '1.0', 'local:scripted', '--command', `node ${SCRIPT}`);
    await ok(
      'apps',
      'register',
      'task',
      'settle',
      '1.0',
      'docker:batchyard/worker-sample:1.0',
      '--command',
      `node ${SAMPLE_MAIN}`,
    );
    await ok('tasks', 'create', 'hello', 'scripted --print=hello-world', '--description', 'says hello');
    await ok('tasks', 'create', 'settle-demo', 'settle --chunkSize=100');
  });
  afterAll(() => s?.close());

  it('lists apps and tasks as aligned tables, shows one as a summary', async () => {
    const apps = await ok('apps', 'list', '-o', 'text');
    expect(alignmentProblems(tableAt(apps.stdout, 'TYPE'))).toEqual([]);
    expect(normalise(apps.stdout)).toBe(
      [
        'TYPE  NAME  VERSION  DEFAULT  URI',
        'task  scripted  1.0  yes  local:scripted',
        'task  settle  1.0  yes  docker:batchyard/worker-sample:1.0',
        '',
      ].join('\n'),
    );
    const wide = await ok('apps', 'list', '-o', 'wide');
    expect(tableAt(wide.stdout, 'TYPE')[0]).toMatch(/URI +COMMAND +UPDATED$/);
    expect(wide.stdout).toContain(`node ${SCRIPT}`);

    const tasks = await ok('tasks', 'list', '-o', 'text');
    expect(normalise(tasks.stdout)).toBe(
      [
        'NAME  KIND  DEFINITION',
        'hello  simple  scripted --print=hello-world',
        'settle-demo  simple  settle --chunkSize=100',
        '',
      ].join('\n'),
    );
    const one = await ok('tasks', 'show', 'hello', '-o', 'text');
    expect(normalise(one.stdout)).toBe(
      [
        'Task hello  version 1',
        'Definition:  scripted --print=hello-world',
        'Description:  says hello',
        'Created:  <t>',
        'Updated:  <t>',
        '',
        'Launch it: batchyard tasks launch hello --wait',
        '',
      ].join('\n'),
    );
    // Not a terminal: JSON, the same as -o json; yaml on request.
    const page = await json<{ items: { name: string }[] }>('tasks', 'list');
    expect(page.items.map((d) => d.name)).toEqual(['hello', 'settle-demo']);
    expect((await ok('tasks', 'show', 'hello', '-o', 'yaml')).stdout).toMatch(
      /^name: hello\ndefinition: scripted --print=hello-world\n/,
    );
  });

  it('answers edits, schedules and app versions with short summaries, deletes with a sentence', async () => {
    const text = async (...args: string[]) => normalise((await ok(...args, '-o', 'text')).stdout);
    expect(await text('tasks', 'create', 'greet', 'scripted --print=hi')).toBe(
      'Created Task greet  version 1\nDefinition:  scripted --print=hi\nCreated:  <t>\nUpdated:  <t>\n\nLaunch it: batchyard tasks launch greet --wait\n',
    );
    expect(await text('tasks', 'edit', 'greet', 'scripted --print=hey')).toMatch(
      /^Task greet {2}version 2\nDefinition: {2}scripted --print=hey\n/,
    );
    expect(
      await text(
        'schedules',
        'create',
        'weekly',
        'greet',
        '0 3 * * MON',
        '--time-zone',
        'Europe/Berlin',
        '--arg',
        'a=1',
      ),
    ).toBe(
      [
        'Created Schedule weekly  greet  ● active',
        'Cron:  0 3 * * MON (Europe/Berlin)',
        'Platform:  default',
        'Policy:  Forbid',
        'Arguments:  a=1',
        'Last fire:  never',
        '',
      ].join('\n'),
    );
    const list = await ok('schedules', 'list', '-o', 'text');
    expect(alignmentProblems(tableAt(list.stdout, 'NAME'))).toEqual([]);
    expect(normalise(list.stdout)).toBe(
      'NAME  DEFINITION  CRON  TIME ZONE  STATE  LAST FIRE\nweekly  greet  0 3 * * MON  Europe/Berlin  ● active  -\n',
    );
    expect(await text('schedules', 'show', 'weekly')).toMatch(
      /^Schedule weekly {2}greet {2}● active\n(.*\n){4}Next fires: {2}<time> \(<t>\)\n {2}<time> \(<t>\)\n {2}<time> \(<t>\)\nLast fire: {2}never\n$/,
    );
    expect((await text('schedules', 'suspend', 'weekly')).split('\n')[0]).toBe(
      'Schedule weekly  greet  ■ suspended',
    );
    expect((await text('schedules', 'resume', 'weekly')).split('\n')[0]).toBe(
      'Schedule weekly  greet  ● active',
    );
    expect(await text('schedules', 'delete', 'weekly')).toBe('Deleted schedule weekly\n');
    expect(await text('tasks', 'destroy', 'greet')).toBe('Deleted task definition greet\n');

    expect(await text('apps', 'register', 'task', 'scripted', '2.0', 'local:scripted-2')).toBe(
      'Registered task app scripted  2.0\nURI:  local:scripted-2\nUpdated:  <t>\n',
    );
    expect((await text('apps', 'default', 'task', 'scripted', '2.0')).split('\n')[0]).toBe(
      'task app scripted  2.0  (default)',
    );
    expect((await text('apps', 'default', 'task', 'scripted', '1.0')).split('\n')[0]).toBe(
      'task app scripted  1.0  (default)',
    );
    expect(await text('apps', 'unregister', 'task', 'scripted', '2.0')).toBe(
      'Unregistered task app scripted 2.0\n',
    );
    // The same commands for a script: JSON objects, and nothing for a delete (204).
    expect(await json('schedules', 'create', 'daily', 'hello', '0 4 * * *')).toMatchObject({
      name: 'daily',
      suspend: false,
    });
    expect((await ok('schedules', 'delete', 'daily')).stdout).toBe('');
  });

  it('answers a launch with its summary and the commands that follow it, with its real id', async () => {
    const r = await ok('tasks', 'launch', 'hello', '-o', 'text');
    const id = Number(/^Execution (\d+)/.exec(r.stdout)?.[1]);
    expect(normalise(r.stdout)).toMatch(
      new RegExp(
        `^Execution ${id}  hello  (◌ PENDING|◌ LAUNCHING|● RUNNING|✓ COMPLETE  exit 0)\n[\\s\\S]*\nWait for it: batchyard executions wait ${id}\nIts log:  batchyard executions logs ${id} --follow\n$`,
      ),
    );
    expect((await cli('executions', 'wait', String(id))).code).toBe(0);
    const relaunched = await ok('executions', 'relaunch', String(id), '--wait', '-o', 'text');
    expect(relaunched.stdout).toMatch(/^Execution \d+ {3}hello {3}✓ COMPLETE {3}exit 0\n/);
  });

  it('launch --wait shows progress on stderr, the summary on stdout, and exits 0', async () => {
    const r = await cli('tasks', 'launch', 'settle-demo', '--arg', 'rows=3000', '--wait', '-o', 'text');
    expect(r.code, r.stderr).toBe(0);
    const id = Number(/Launched execution (\d+)/.exec(r.stderr)?.[1]);
    // One progress line per change; which states a 500 ms poll catches depends on the machine's speed.
    expect(r.stderr).toMatch(new RegExp(`^execution ${id} (◌ PENDING|◌ LAUNCHING|● RUNNING)`, 'm'));
    expect(normalise(r.stdout)).toBe(
      [
        `Execution ${id}  settle-demo  ✓ COMPLETE  exit 0`,
        'Arguments:  rows=3000',
        'Platform:  default (local)',
        `External id:  local-${id}`,
        'Created:  <t>',
        'Started:  <t>',
        'Duration:  <t>',
        'Reason:  Completed',
        'Exit message:  COMPLETED',
        `Job executions:  ${(await show(id)).jobExecutionIds.join(', ')}`,
        '',
      ].join('\n'),
    );
  });

  it('lists executions and shows the job and its steps', async () => {
    const list = await ok('executions', 'list', '--task', 'settle-demo', '-o', 'text');
    expect(alignmentProblems(tableAt(list.stdout, 'ID'))).toEqual([]);
    expect(normalise(list.stdout)).toMatch(
      /^ID {2}TASK {2}STATUS {2}EXIT {2}PLATFORM {2}STARTED {2}DURATION {2}MESSAGE\n \d+ {2}settle-demo {2}✓ COMPLETE {2}0 {2}default {2}<t> {2}<t> {2}Completed\n$/,
    );
    const [latest] = (await json<{ items: Execution[] }>('executions', 'list', '--task', 'settle-demo'))
      .items;
    const jobId = latest?.jobExecutionIds[0];
    if (jobId === undefined) throw new Error('no job execution');

    const jobs = await ok('jobs', 'list', '--task-execution', String(latest?.id), '-o', 'text');
    expect(normalise(jobs.stdout)).toBe(
      [
        'ID  JOB  STATUS  EXIT  TASK EXECUTION  STEPS  STARTED  DURATION',
        ` ${jobId}  settlement  ✓ COMPLETED  COMPLETED  ${latest?.id}  2  <t>  <t>`,
        '',
      ].join('\n'),
    );
    const job = await ok('jobs', 'show', String(jobId), '-o', 'text');
    const steps = tableAt(job.stdout, 'ID');
    expect(alignmentProblems(steps)).toEqual([]);
    expect(normalise(steps.join('\n'))).toMatch(
      /^ID {2}STEP {2}STATUS {2}READ {2}WRITTEN {2}COMMITS {2}SKIPPED {2}DURATION\n *\d+ {2}prepare {2}✓ COMPLETED {2}0 {2}0 {2}1 {2}0 {2}<t>\n *\d+ {2}settle {2}✓ COMPLETED {2}\d+ {2}\d+ {2}\d+ {2}\d+ {2}<t>$/,
    );
    const detail = await json<{ steps: { id: number; stepName: string }[] }>('jobs', 'show', String(jobId));
    const settle = detail.steps.find((x) => x.stepName === 'settle');
    const step = await ok('jobs', 'step', String(jobId), String(settle?.id), '-o', 'text');
    expect(step.stdout).toContain(`Step execution ${settle?.id}   settle   ✓ COMPLETED`);
    expect(step.stdout).toContain('Progress:       100% (estimated from ENDTIME)');
  });

  it("--wait exits with the task's non-zero exit code, printing the execution as JSON to a pipe", async () => {
    await ok('tasks', 'create', 'fails', 'scripted --exit=7');
    const r = await cli('tasks', 'launch', 'fails', '--wait');
    expect(r.code, r.stderr).toBe(7);
    expect(JSON.parse(r.stdout)).toMatchObject({ taskName: 'fails', status: 'FAILED', exitCode: 7 });
    const id = (JSON.parse(r.stdout) as Execution).id;
    // executions wait on an execution that has already ended: the same code at once.
    expect((await cli('executions', 'wait', String(id))).code).toBe(7);
  });

  it('executions wait exits 130 on SIGINT and leaves the execution running', async () => {
    const e = await json<Execution>('tasks', 'launch', 'hello', '--arg=--sleep=600000');
    const waiting = startCli(s.url, ['executions', 'wait', String(e.id)]);
    await until(
      async () => waiting.stderr,
      (err) => err.includes('RUNNING'),
      'the wait to report RUNNING',
    );
    waiting.child.kill('SIGINT');
    const r = await waiting.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`interrupted: execution ${e.id} keeps running (RUNNING)`);
    expect((await show(e.id)).status).toBe('RUNNING');
    await ok('executions', 'stop', String(e.id));
    await until(
      () => show(e.id),
      (x) => x.status === 'STOPPED',
      'the stop',
    );
  });

  it('on a terminal, wait draws a progress bar on stderr and prints the summary in colour', async () => {
    const e = await json<Execution>('tasks', 'launch', 'hello', '--arg=--sleep=600000');
    // `script` gives the command a real pseudo-terminal (stdout and stderr are TTYs), as a shell has.
    const command = `${process.execPath} ${CLI_MAIN} executions wait ${e.id}`;
    const tty = spawn('script', ['-qfec', command, '/dev/null'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        BATCHYARD_URL: s.url,
        TERM: 'xterm',
        COLUMNS: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let screen = '';
    tty.stdout.setEncoding('utf8').on('data', (d: string) => {
      screen += d;
    });
    const exited = new Promise<number | null>((r) => tty.on('close', r));
    await until(
      async () => screen,
      (text) => /RUNNING.*0% \| 0 items \| 0 items\/s/.test(text),
      'the progress bar',
    );
    await ok('executions', 'stop', String(e.id));
    // STOPPED by SIGTERM: the task's exit code, 143.
    expect(await exited).toBe(143);
    expect(screen).toContain(`execution ${e.id} \u001b[36m● RUNNING\u001b[39m`);
    expect(screen).toContain(
      `\u001b[1mExecution ${e.id}\u001b[22m   hello   \u001b[35m■ STOPPED\u001b[39m   exit 143`,
    );
  });

  it('logs --follow streams until the run ends, then exits 0', async () => {
    const e = await json<Execution>('tasks', 'launch', 'hello', '--arg=--sleep=1500');
    const r = await cli('executions', 'logs', String(e.id), '--follow');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`task hello execution ${e.id} started\n`);
    expect(r.stdout.endsWith('done\n')).toBe(true);
    // The stream ended because the run did: it is over.
    expect(['COMPLETE']).toContain((await show(e.id)).status);
  });

  it('reads worker JSON log lines as text on request, and passes them through to a pipe', async () => {
    const [done] = (await json<{ items: Execution[] }>('executions', 'list', '--task', 'settle-demo')).items;
    const raw = await ok('executions', 'logs', String(done?.id));
    expect(raw.stdout.split('\n')[0]).toMatch(/^\{"time":/);
    const text = await ok('executions', 'logs', String(done?.id), '-o', 'text');
    expect(text.stdout.split('\n')[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}worker starting job=settlement /,
    );
  });

  it('sends the token on every request and an Idempotency-Key on launches', async () => {
    seen.length = 0;
    await ok('executions', 'list', '--token', 'tok-1');
    const e = await json<Execution>('tasks', 'launch', 'hello', '--token', 'tok-1');
    await runCli(s.url, ['executions', 'relaunch', String(e.id)], { BATCHYARD_TOKEN: 'tok-2' });
    const [list, launch, relaunch] = seen;
    expect(list).toMatchObject({ method: 'GET', authorization: 'Bearer tok-1', idempotencyKey: undefined });
    expect(launch).toMatchObject({
      method: 'POST',
      path: '/tasks/executions',
      authorization: 'Bearer tok-1',
    });
    expect(launch?.idempotencyKey).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(relaunch).toMatchObject({ method: 'POST', authorization: 'Bearer tok-2' });
    expect(relaunch?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(relaunch?.idempotencyKey).not.toBe(launch?.idempotencyKey);
    // Without a token, no Authorization header at all.
    seen.length = 0;
    await ok('tasks', 'list');
    expect(seen[0]?.authorization).toBeUndefined();
  });
});

describe('shell completion', () => {
  const exec = promisify(execFile);
  /** What bash offers after `words` (the last one being completed), with the generated script loaded. */
  const complete = async (...words: string[]) => {
    const script = `source <(${process.execPath} ${CLI_MAIN} completion bash)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _batchyard; echo "\${COMPREPLY[*]}"`;
    const { stdout } = await exec('bash', ['-c', script]);
    return stdout.trim().split(' ');
  };

  it('bash completes nouns, verbs, options and option values', async () => {
    expect(await complete('batchyard', 'exe')).toEqual(['executions']);
    expect(await complete('batchyard', 'tasks', 'la')).toEqual(['launch']);
    expect(await complete('batchyard', 'executions', 'logs', '12', '--fo')).toEqual(['--follow']);
    expect(await complete('batchyard', 'tasks', 'launch', 'x', '--')).toEqual(
      expect.arrayContaining([
        '--arg',
        '--prop',
        '--platform',
        '--wait',
        '--url',
        '--token',
        '--output',
        '--help',
      ]),
    );
    expect(await complete('batchyard', 'jobs', 'list', '-o', '')).toEqual(['text', 'wide', 'json', 'yaml']);
  });

  it('zsh completes nouns, verbs, options and option values (where zsh is installed)', async (ctx) => {
    const zsh = await exec('sh', ['-c', 'command -v zsh']).then(
      (r) => r.stdout.trim(),
      () => '',
    );
    if (!zsh) return ctx.skip('zsh is not installed (apt-get install zsh)');
    const dir = await mkdtemp(join(tmpdir(), 'batchyard-zsh-'));
    const script = join(dir, '_batchyard');
    await writeFile(script, (await exec(process.execPath, [CLI_MAIN, 'completion', 'zsh'])).stdout);
    /** The command line after typing `words` and TAB in an interactive zsh. */
    const line = async (...words: string[]) => {
      // A plain environment: zle draws for an ordinary terminal whatever the runner's TERM says.
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' };
      const { stdout } = await exec(zsh, ['-f', ZSH_DRIVER, script, ...words], { timeout: 120_000, env });
      return /^LINE: (.*?)\r?$/m.exec(stdout)?.[1]?.trimEnd();
    };
    expect(await line('batchyard', 'exe')).toBe('batchyard executions');
    expect(await line('batchyard', 'tasks', 'la')).toBe('batchyard tasks launch');
    expect(await line('batchyard', 'executions', 'logs', '12', '--fo')).toBe(
      'batchyard executions logs 12 --follow',
    );
    expect(await line('batchyard', 'jobs', 'list', '-o', 'j')).toBe('batchyard jobs list -o json');
  });

  it('zsh gets a compdef script naming every command', async () => {
    const { stdout } = await exec(process.execPath, [CLI_MAIN, 'completion', 'zsh']);
    expect(stdout.startsWith('#compdef batchyard\n')).toBe(true);
    expect(stdout).toContain('compdef _batchyard batchyard');
    // Where zsh is installed (apt-get install zsh), the script must at least parse.
    const zsh = await exec('sh', ['-c', 'command -v zsh']).then(
      (r) => r.stdout.trim(),
      () => '',
    );
    if (zsh) await exec('sh', ['-c', `${process.execPath} ${CLI_MAIN} completion zsh | ${zsh} -n`]);
    expect(stdout).toContain('executions) compadd -- list show wait logs stop relaunch restart ;;');
    expect(stdout).toContain(
      '"executions logs") compadd -- --tail --follow -f --raw --url --token --output -o --quiet -q --help -h ;;',
    );
  });
});
