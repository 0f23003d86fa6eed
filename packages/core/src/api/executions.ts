import { z } from 'zod';
import { PageQuery, pageOf } from '../paging.js';
import { TASK_STATUSES } from '../task-status.js';
import { Timestamp } from './common.js';
import { TaskName } from './definitions.js';

export const TaskStatusSchema = z.enum(TASK_STATUSES);

const PropertyKey = z.string().min(1).max(512);
export const LaunchPropertiesSchema = z
  .record(PropertyKey, z.string().max(65_536))
  .refine((r) => Object.keys(r).length <= 500, 'at most 500 properties')
  .describe('app.<app>.<key>, deployer.<app>.<key>, deployer.*.<key>, version.<app>');

export const LaunchBody = z
  .object({
    name: TaskName.describe('Task definition to launch.'),
    arguments: z.array(z.string().max(65_536)).max(500).default([]).describe('Command-line arguments.'),
    properties: LaunchPropertiesSchema.default({}),
    platform: z
      .string()
      .min(1)
      .max(63)
      .optional()
      .describe('Platform account; the first configured by default.'),
  })
  .strict();
export type LaunchBody = z.infer<typeof LaunchBody>;

export const TaskExecutionSchema = z
  .object({
    id: z.number().int(),
    taskName: z.string(),
    status: TaskStatusSchema,
    arguments: z.array(z.string()).describe('Launch arguments, sanitised.'),
    properties: z.record(z.string(), z.string()).describe('Launch properties, sanitised.'),
    manifest: z.unknown().nullable().describe('Effective platform manifest (e.g. the Job), sanitised.'),
    platformName: z.string().nullable(),
    platformType: z.string().nullable(),
    externalExecutionId: z.string().nullable().describe('Job name (kubernetes) or process key (local).'),
    parentExecutionId: z.number().int().nullable(),
    partitionStepExecutionId: z
      .number()
      .int()
      .nullable()
      .describe("A remote partition's execution: the partition step execution it runs."),
    scheduleName: z.string().nullable(),
    exitCode: z.number().int().nullable(),
    exitMessage: z.string().nullable(),
    errorMessage: z.string().nullable(),
    reason: z.string().nullable().describe('OOMKilled, DeadlineExceeded, BackoffLimitExceeded, Evicted, …'),
    queuePosition: z.number().int().nullable().describe('1-based position while QUEUED.'),
    jobExecutionIds: z.array(z.number().int()),
    queuedAt: Timestamp.nullable(),
    startTime: Timestamp.nullable(),
    endTime: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'TaskExecution' });
export type TaskExecution = z.infer<typeof TaskExecutionSchema>;

export const ExecutionIdParams = z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647) });

/** `1,2,3` — up to 1000 ids. */
export const ExecutionIdsParams = z.object({
  ids: z
    .string()
    .max(12_000)
    .transform((s, ctx) => {
      const ids = s.split(',').map((p) => Number(p.trim()));
      if (ids.length > 1000 || ids.some((n) => !Number.isInteger(n) || n < 1 || n > 2_147_483_647)) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected a comma-separated list of up to 1000 execution ids',
        });
        return z.NEVER;
      }
      return [...new Set(ids)];
    }),
});

export const ListExecutionsQuery = PageQuery.extend({
  task: z.string().max(255).optional().describe('Only executions of this task.'),
  status: TaskStatusSchema.optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Created at or after.'),
  to: z.iso.datetime({ offset: true }).optional().describe('Created before.'),
  parent: z.coerce.number().int().min(1).optional().describe('Only children of this composed execution.'),
});
export type ListExecutionsQuery = z.infer<typeof ListExecutionsQuery>;

export const ExecutionPage = pageOf(TaskExecutionSchema).meta({ id: 'TaskExecutionPage' });

export const CleanupAction = z.enum(['CLEANUP', 'REMOVE_DATA']);
export const CleanupQuery = z.object({
  action: z
    .string()
    .default('CLEANUP')
    .transform((s, ctx) => {
      const actions = s.split(',').map((a) => a.trim());
      for (const a of actions) {
        if (!CleanupAction.safeParse(a).success) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown action '${a}'; expected CLEANUP and/or REMOVE_DATA`,
          });
          return z.NEVER;
        }
      }
      return new Set(actions as z.infer<typeof CleanupAction>[]);
    }),
});

export const BulkCleanupQuery = CleanupQuery.extend({
  task: z.string().max(255).optional(),
  status: TaskStatusSchema.optional(),
  olderThanDays: z.coerce.number().int().min(0).max(36_500).optional(),
  // SCDF 2.11's spellings (its shell's `task execution cleanup --all --completed --days`).
  taskName: z.string().max(255).optional().describe('SCDF spelling of `task`'),
  days: z.coerce.number().int().min(0).max(36_500).optional().describe('SCDF spelling of `olderThanDays`'),
  completed: z
    .enum(['true', 'false'])
    .optional()
    .describe('SCDF: finished executions only. Batchyard never removes unfinished ones, either way'),
}).superRefine((q, ctx) => {
  for (const [ours, scdf] of [
    ['task', 'taskName'],
    ['olderThanDays', 'days'],
  ] as const) {
    if (q[ours] !== undefined && q[scdf] !== undefined && q[ours] !== q[scdf]) {
      ctx.addIssue({
        code: 'custom',
        path: [scdf],
        message: `gives another value than ${ours}; give one of them`,
      });
    }
  }
});

export const LogsQuery = z.object({
  tail: z.coerce.number().int().min(1).max(100_000).optional().describe('Only the last N lines.'),
  follow: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('Stream until the execution ends.'),
});

export const CurrentExecutionsSchema = z.array(
  z.object({
    name: z.string(),
    type: z.string(),
    maximumTaskExecutions: z.number().int(),
    runningExecutionCount: z.number().int(),
    queuedExecutionCount: z.number().int(),
  }),
);
