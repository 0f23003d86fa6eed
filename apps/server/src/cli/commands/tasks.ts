import type { Page, TaskDefinition, TaskExecution } from '@batchyard/core';
import { ApiRequestError } from '../client.js';
import type { CommandSpec, Context, OptionSpec, Outcome } from '../spec.js';
import { taskList, taskSummary } from '../views/catalog.js';
import { launched } from '../views/executions.js';
import { waitForExecution } from '../wait.js';
import { ARG, CURSOR, PLATFORM, PROP, properties, query, SIZE, seg } from './shared.js';

export const WAIT: OptionSpec = {
  name: 'wait',
  kind: 'boolean',
  description:
    "Wait for the run to end, showing its progress; exit with the task's exit code (130 on Ctrl-C)",
};

/** A launch's answer, or with --wait the run's end and its exit code. */
export async function launchOutcome(ctx: Context, e: TaskExecution): Promise<Outcome> {
  if (!ctx.flags.flag('wait')) return { data: e, human: (s) => launched(e, s) };
  ctx.note(`Launched execution ${e.id} (${e.taskName})\n`);
  return waitForExecution(ctx, e.id);
}

export const TASK_COMMANDS: readonly CommandSpec[] = [
  {
    noun: 'tasks',
    verb: 'list',
    summary: 'List task definitions',
    positionals: [],
    options: [
      {
        name: 'search',
        kind: 'string',
        placeholder: '<text>',
        description: 'Only definitions whose name contains the text',
      },
      { ...SIZE, description: 'Page size (1–1000, default 1000)' },
      CURSOR,
    ],
    examples: ['batchyard tasks list', 'batchyard tasks list --search etl -o wide'],
    async run(ctx) {
      const f = ctx.flags;
      const page = await ctx.client.request<Page<TaskDefinition>>(
        'GET',
        `/tasks/definitions${query({ size: f.number('size') ?? 1000, search: f.string('search'), cursor: f.string('cursor') })}`,
      );
      return { data: page, human: (s) => taskList(page, s, ctx.invocation) };
    },
  },
  {
    noun: 'tasks',
    verb: 'create',
    summary: 'Create a task definition from the task DSL',
    positionals: [
      { name: 'name', description: 'the definition name' },
      { name: 'dsl', description: "the DSL, e.g. 'etl --chunkSize=500' or 'a && b'" },
    ],
    options: [{ name: 'description', kind: 'string', placeholder: '<text>', description: 'A description' }],
    examples: [
      "batchyard tasks create nightly-etl 'etl --chunkSize=500'",
      "batchyard tasks create pipeline 'extract && <clean || enrich> && load'",
    ],
    async run(ctx) {
      const [name, definition] = ctx.args;
      const d = await ctx.client.request<TaskDefinition>('POST', '/tasks/definitions', {
        name,
        definition,
        description: ctx.flags.string('description'),
      });
      return { data: d, human: (s) => `Created ${taskSummary(d, s)}` };
    },
  },
  {
    noun: 'tasks',
    verb: 'edit',
    summary: 'Replace the DSL of a definition (its history is kept)',
    positionals: [
      { name: 'name', description: 'the definition name' },
      { name: 'dsl', description: 'the new DSL' },
    ],
    options: [],
    examples: ["batchyard tasks edit nightly-etl 'etl --chunkSize=1000'"],
    async run(ctx) {
      const [name, definition] = ctx.args;
      const d = await ctx.client.request<TaskDefinition>('PUT', `/tasks/definitions/${seg(name)}`, {
        definition,
      });
      return { data: d, human: (s) => taskSummary(d, s) };
    },
  },
  {
    noun: 'tasks',
    verb: 'show',
    summary: 'Show a task definition',
    positionals: [{ name: 'name', description: 'the definition name' }],
    options: [],
    examples: ['batchyard tasks show settlement-demo'],
    async run(ctx) {
      const d = await ctx.client.request<TaskDefinition>('GET', `/tasks/definitions/${seg(ctx.args[0])}`);
      return { data: d, human: (s) => taskSummary(d, s) };
    },
  },
  {
    noun: 'tasks',
    verb: 'destroy',
    summary: 'Delete a task definition (refused while it has schedules, unless --with-schedules)',
    positionals: [{ name: 'name', description: 'the definition name' }],
    options: [{ name: 'with-schedules', kind: 'boolean', description: 'Delete its schedules too' }],
    examples: ['batchyard tasks destroy nightly-etl', 'batchyard tasks destroy nightly-etl --with-schedules'],
    async run(ctx) {
      const name = ctx.args[0];
      const q = query({ schedules: ctx.flags.flag('with-schedules') ? 'delete' : undefined });
      const data = await ctx.client
        .request('DELETE', `/tasks/definitions/${seg(name)}${q}`)
        .catch((err: unknown) => {
          // The server's message names its query parameter; a CLI user needs the flag.
          if (err instanceof ApiRequestError && err.status === 409)
            throw new ApiRequestError(
              409,
              `${err.message.replace(' or pass ?schedules=delete', '')}\n  (or rerun with --with-schedules)`,
            );
          throw err;
        });
      return { data, human: () => `Deleted task definition ${name}` };
    },
  },
  {
    noun: 'tasks',
    verb: 'launch',
    summary: 'Launch a task definition',
    positionals: [{ name: 'name', description: 'the task definition to launch (batchyard tasks list)' }],
    options: [ARG, PROP, PLATFORM, WAIT],
    examples: [
      'batchyard tasks launch settlement-demo --arg rows=5000 --wait',
      'batchyard tasks launch etl --prop app.etl.chunkSize=500 --prop deployer.etl.limits.memory=1Gi --platform prod',
      'id=$(batchyard tasks launch etl -o json | jq .id)',
    ],
    notes:
      'deployer.* properties such as limits.memory are Kubernetes settings: an account of type local refuses them.',
    async run(ctx) {
      const e = await ctx.client.request<TaskExecution>(
        'POST',
        '/tasks/executions',
        {
          name: ctx.args[0],
          arguments: ctx.flags.strings('arg'),
          properties: properties(ctx.flags),
          platform: ctx.flags.string('platform'),
        },
        { idempotent: true },
      );
      return launchOutcome(ctx, e);
    },
  },
];
