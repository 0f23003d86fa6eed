import type { JobExecution, JobExecutionDetail, Page, StepProgress, TaskExecution } from '@batchyard/core';
import { type Style, status } from '../output/style.js';
import type { CommandSpec } from '../spec.js';
import { jobList, jobSummary, stepSummary } from '../views/jobs.js';
import { CURSOR, query, SIZE, seg } from './shared.js';

const ID = { name: 'id', description: 'the job execution id (batchyard jobs list)', number: true };

const actionLine = (j: JobExecution, style: Style) =>
  `Job execution ${j.id} (${j.jobName}): ${status(style, j.status)}`;

export const JOB_COMMANDS: readonly CommandSpec[] = [
  {
    noun: 'jobs',
    verb: 'list',
    summary: 'List batch job executions, newest first',
    positionals: [],
    options: [
      { name: 'name', kind: 'string', placeholder: '<job>', description: 'Only executions of this job' },
      {
        name: 'status',
        kind: 'string',
        placeholder: '<s>',
        description: 'COMPLETED, STARTING, STARTED, STOPPING, STOPPED, FAILED, ABANDONED or UNKNOWN',
      },
      {
        name: 'task-execution',
        kind: 'number',
        placeholder: '<id>',
        description: 'Only the jobs this task execution ran',
      },
      { ...SIZE, description: 'Page size (1–1000, default 20)' },
      CURSOR,
    ],
    examples: [
      'batchyard jobs list',
      'batchyard jobs list --task-execution 12',
      'batchyard jobs list --name settlement --status FAILED',
    ],
    async run(ctx) {
      const f = ctx.flags;
      const page = await ctx.client.request<Page<JobExecution>>(
        'GET',
        `/jobs/executions${query({
          name: f.string('name'),
          status: f.string('status'),
          taskExecutionId: f.number('task-execution'),
          size: f.number('size'),
          cursor: f.string('cursor'),
        })}`,
      );
      return { data: page, human: (s) => jobList(page, s, ctx.invocation) };
    },
  },
  {
    noun: 'jobs',
    verb: 'show',
    summary: 'Show a job execution: parameters, status and its step executions',
    positionals: [ID],
    options: [],
    examples: ['batchyard jobs show 7', 'batchyard jobs show 7 -o wide'],
    async run(ctx) {
      const j = await ctx.client.request<JobExecutionDetail>('GET', `/jobs/executions/${seg(ctx.args[0])}`);
      return { data: j, human: (s) => jobSummary(j, s) };
    },
  },
  {
    noun: 'jobs',
    verb: 'step',
    summary: "Show one step execution: its counts, progress estimate and the step's history",
    positionals: [
      ID,
      { name: 'stepId', description: 'the step execution id (batchyard jobs show <id>)', number: true },
    ],
    options: [],
    examples: ['batchyard jobs step 7 21'],
    async run(ctx) {
      const [id, stepId] = ctx.args;
      const p = await ctx.client.request<StepProgress>(
        'GET',
        `/jobs/executions/${seg(id)}/steps/${seg(stepId)}/progress`,
      );
      return { data: p, human: (s) => stepSummary(p, s) };
    },
  },
  {
    noun: 'jobs',
    verb: 'stop',
    summary: 'Ask a running job to stop at its next chunk boundary',
    positionals: [ID],
    options: [],
    examples: ['batchyard jobs stop 7'],
    async run(ctx) {
      const j = await ctx.client.request<JobExecution>('PUT', `/jobs/executions/${seg(ctx.args[0])}/stop`);
      return { data: j, human: (s) => actionLine(j, s) };
    },
  },
  {
    noun: 'jobs',
    verb: 'restart',
    summary: 'Restart a FAILED or STOPPED job from its last commit (relaunches its task execution)',
    positionals: [ID],
    options: [],
    examples: ['batchyard jobs restart 7'],
    async run(ctx) {
      const e = await ctx.client.request<TaskExecution | JobExecution>(
        'PUT',
        `/jobs/executions/${seg(ctx.args[0])}/restart`,
        undefined,
        { idempotent: true },
      );
      return {
        data: e,
        human: (s) =>
          'taskName' in e
            ? `Restarted as task execution ${e.id}: ${status(s, e.status)}\n${s.paint.dim(`Wait for it: batchyard executions wait ${e.id}`)}`
            : actionLine(e, s),
      };
    },
  },
  {
    noun: 'jobs',
    verb: 'abandon',
    summary: 'Mark a FAILED or STOPPED job ABANDONED (it will not be restarted)',
    positionals: [ID],
    options: [],
    examples: ['batchyard jobs abandon 7'],
    async run(ctx) {
      const j = await ctx.client.request<JobExecution>('PUT', `/jobs/executions/${seg(ctx.args[0])}/abandon`);
      return { data: j, human: (s) => actionLine(j, s) };
    },
  },
];
