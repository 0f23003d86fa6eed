import type { Page, Schedule, ScheduleDetail } from '@batchyard/core';
import type { CommandSpec } from '../spec.js';
import { scheduleList, scheduleSummary } from '../views/catalog.js';
import { ARG, CURSOR, PLATFORM, PROP, properties, query, SIZE, seg } from './shared.js';

const NAME = { name: 'name', description: 'the schedule name (batchyard schedules list)' };

/** suspend, resume: the schedule as it now is. */
const toggle = (verb: 'suspend' | 'resume', summary: string): CommandSpec => ({
  noun: 'schedules',
  verb,
  summary,
  positionals: [NAME],
  options: [],
  examples: [`batchyard schedules ${verb} nightly`],
  async run(ctx) {
    const x = await ctx.client.request<Schedule>('POST', `/tasks/schedules/${seg(ctx.args[0])}/${verb}`);
    return { data: x, human: (s) => scheduleSummary(x, s) };
  },
});

export const SCHEDULE_COMMANDS: readonly CommandSpec[] = [
  {
    noun: 'schedules',
    verb: 'create',
    summary: 'Schedule a task definition with a five-field cron expression',
    positionals: [
      { name: 'scheduleName', description: 'the schedule name' },
      { name: 'definition', description: 'the task definition it launches' },
      {
        name: 'cron',
        description: "five fields: minute hour day-of-month month day-of-week, e.g. '30 2 * * MON-FRI'",
      },
    ],
    options: [
      {
        name: 'time-zone',
        kind: 'string',
        placeholder: '<zone>',
        description: 'IANA time zone (default UTC)',
      },
      ARG,
      PROP,
      PLATFORM,
    ],
    examples: [
      "batchyard schedules create nightly settlement-demo '30 2 * * *' --time-zone Europe/Berlin --arg rows=100",
    ],
    async run(ctx) {
      const [scheduleName, taskDefinitionName, cron] = ctx.args;
      const f = ctx.flags;
      const x = await ctx.client.request<Schedule>('POST', '/tasks/schedules', {
        scheduleName,
        taskDefinitionName,
        cron,
        timeZone: f.string('time-zone'),
        arguments: f.strings('arg'),
        properties: properties(f),
        platform: f.string('platform'),
      });
      return { data: x, human: (s) => `Created ${scheduleSummary(x, s)}` };
    },
  },
  {
    noun: 'schedules',
    verb: 'list',
    summary: 'List schedules by name',
    positionals: [],
    options: [
      {
        name: 'definition',
        kind: 'string',
        placeholder: '<name>',
        description: 'Only schedules of this definition',
      },
      { ...SIZE, description: 'Page size (1–1000, default 1000)' },
      CURSOR,
    ],
    examples: ['batchyard schedules list', 'batchyard schedules list --definition settlement-demo -o wide'],
    async run(ctx) {
      const f = ctx.flags;
      // A catalogue like apps and tasks: up to 1000 at once unless --size says otherwise.
      const page = await ctx.client.request<Page<Schedule>>(
        'GET',
        `/tasks/schedules${query({ taskDefinitionName: f.string('definition'), size: f.number('size') ?? 1000, cursor: f.string('cursor') })}`,
      );
      return { data: page, human: (s) => scheduleList(page, s, ctx.invocation) };
    },
  },
  {
    noun: 'schedules',
    verb: 'show',
    summary: 'Show a schedule: its next fire times and its last runs',
    positionals: [NAME],
    options: [],
    examples: ['batchyard schedules show nightly'],
    async run(ctx) {
      const x = await ctx.client.request<ScheduleDetail>('GET', `/tasks/schedules/${seg(ctx.args[0])}`);
      return { data: x, human: (s) => scheduleSummary(x, s) };
    },
  },
  toggle('suspend', 'Suspend a schedule (no fires until it is resumed)'),
  toggle('resume', 'Resume a suspended schedule'),
  {
    noun: 'schedules',
    verb: 'delete',
    summary: 'Delete a schedule (runs already started are kept)',
    positionals: [NAME],
    options: [],
    examples: ['batchyard schedules delete nightly'],
    async run(ctx) {
      const data = await ctx.client.request('DELETE', `/tasks/schedules/${seg(ctx.args[0])}`);
      return { data, human: () => `Deleted schedule ${ctx.args[0]}` };
    },
  },
];
