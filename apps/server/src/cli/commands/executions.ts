import type { Page, TaskExecution } from '@batchyard/core';
import { lineTransformer } from '../output/log-lines.js';
import type { CommandSpec } from '../spec.js';
import { executionIds, executionList, executionSummary } from '../views/executions.js';
import { waitForExecution } from '../wait.js';
import { CURSOR, query, SIZE, seg } from './shared.js';
import { launchOutcome, WAIT } from './tasks.js';

const ID = { name: 'id', description: 'the task execution id (batchyard executions list)', number: true };

export const EXECUTION_COMMANDS: readonly CommandSpec[] = [
  {
    noun: 'executions',
    verb: 'list',
    summary: 'List task executions, newest first',
    positionals: [],
    options: [
      { name: 'task', kind: 'string', placeholder: '<name>', description: 'Only executions of this task' },
      {
        name: 'status',
        kind: 'string',
        placeholder: '<s>',
        description: 'QUEUED, LAUNCHING, PENDING, RUNNING, STOPPING, COMPLETE, FAILED, STOPPED or LOST',
      },
      {
        name: 'parent',
        kind: 'number',
        placeholder: '<id>',
        description: 'Only children of this composed execution',
      },
      { ...SIZE, description: 'Page size (1–1000, default 20)' },
      CURSOR,
    ],
    examples: [
      'batchyard executions list',
      'batchyard executions list --task settlement-demo --status FAILED -o wide',
    ],
    async run(ctx) {
      const f = ctx.flags;
      const page = await ctx.client.request<Page<TaskExecution>>(
        'GET',
        `/tasks/executions${query({
          task: f.string('task'),
          status: f.string('status'),
          parent: f.number('parent'),
          size: f.number('size'),
          cursor: f.string('cursor'),
        })}`,
      );
      return { data: page, human: (s) => executionList(page, s, ctx.invocation) };
    },
  },
  {
    noun: 'executions',
    verb: 'show',
    summary: 'Show a task execution',
    positionals: [ID],
    options: [],
    examples: ['batchyard executions show 12', 'batchyard executions show 12 -o yaml'],
    async run(ctx) {
      const e = await ctx.client.request<TaskExecution>('GET', `/tasks/executions/${seg(ctx.args[0])}`);
      return { data: e, human: (s) => executionSummary(e, s) };
    },
  },
  {
    noun: 'executions',
    verb: 'wait',
    summary: "Wait for an execution to end, showing its progress; exit with the task's exit code",
    positionals: [ID],
    options: [],
    examples: ['batchyard executions wait 12', 'batchyard executions wait 12 && echo done'],
    notes:
      'Exit code: 0 when it completes, the task’s exit code when it fails (1 when it has none), 130 on Ctrl-C (the task keeps running).',
    async run(ctx) {
      return waitForExecution(ctx, Number(ctx.args[0]));
    },
  },
  {
    noun: 'executions',
    verb: 'logs',
    summary: 'Print the log of an execution (from the platform while it runs, then from the database)',
    positionals: [ID],
    options: [
      { name: 'tail', kind: 'number', placeholder: '<n>', description: 'Only the last n lines' },
      { name: 'follow', short: 'f', kind: 'boolean', description: 'Stream the log until the execution ends' },
      {
        name: 'raw',
        kind: 'boolean',
        description: 'Print JSON log lines as they are (the default when stdout is not a terminal)',
      },
    ],
    examples: [
      'batchyard executions logs 12',
      'batchyard executions logs 12 --follow',
      'batchyard executions logs 12 --tail 20',
    ],
    async run(ctx) {
      const path = `/tasks/executions/${seg(ctx.args[0])}/logs${query({
        tail: ctx.flags.number('tail'),
        follow: ctx.flags.flag('follow') ? 'true' : undefined,
      })}`;
      // On a terminal, JSON log lines (the worker's) read as text; a pipe or --raw gets them as they are.
      const readable = (ctx.format === 'text' || ctx.format === 'wide') && !ctx.flags.flag('raw');
      const lines = readable ? lineTransformer(ctx.style) : undefined;
      if (ctx.flags.flag('follow')) {
        await ctx.client.stream(path, (chunk) => ctx.out(lines ? lines.push(chunk) : chunk));
        return lines ? { text: lines.end() } : {};
      }
      const text = await ctx.client.requestText('GET', path);
      return { text: lines ? lines.push(text) + lines.end() : text };
    },
  },
  {
    noun: 'executions',
    verb: 'stop',
    summary: 'Stop executions (SIGTERM, the grace period, then removal: STOPPED)',
    positionals: [{ name: 'id', description: 'one id, or several: 1,2,3 (or 1 2 3)', variadic: true }],
    options: [],
    examples: ['batchyard executions stop 12', 'batchyard executions stop 12,13,14'],
    async run(ctx) {
      // `stop 1,2,3` as the route takes it; `stop 1 2 3` too.
      const ids = ctx.args.flatMap((x) => x.split(',')).map((x) => seg(x.trim()));
      const list = await ctx.client.request<TaskExecution[]>(
        'POST',
        `/tasks/executions/${ids.join(',')}/stop`,
      );
      return { data: list, human: (s) => executionIds(list, 'Stopping', s) };
    },
  },
  {
    noun: 'executions',
    verb: 'relaunch',
    summary: 'Launch again with the same arguments and properties (a failed composed task restarts)',
    positionals: [ID],
    options: [WAIT],
    examples: ['batchyard executions relaunch 12 --wait'],
    async run(ctx) {
      const e = await ctx.client.request<TaskExecution>(
        'POST',
        `/tasks/executions/${seg(ctx.args[0])}/relaunch`,
        undefined,
        { idempotent: true },
      );
      return launchOutcome(ctx, e);
    },
  },
  {
    noun: 'executions',
    verb: 'restart',
    summary: 'Restart a FAILED or STOPPED composed task at its failed child',
    positionals: [ID],
    options: [WAIT],
    examples: ['batchyard executions restart 40 --wait'],
    async run(ctx) {
      const e = await ctx.client.request<TaskExecution>(
        'POST',
        `/tasks/executions/${seg(ctx.args[0])}/restart`,
        undefined,
        { idempotent: true },
      );
      return launchOutcome(ctx, e);
    },
  },
];
