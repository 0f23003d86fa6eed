import { z } from 'zod';
import { nameProblem, SCHEDULE_NAME_RULES } from '../names.js';
import { PageQuery, pageOf } from '../paging.js';
import { Timestamp } from './common.js';
import { TaskName } from './definitions.js';
import { LaunchPropertiesSchema, TaskStatusSchema } from './executions.js';

// The cron expression's field-by-field check needs cron-parser and lives in the server
// (apps/server/src/schedules/cron.ts); here only its shape is checked, so the core stays I/O-free.

export const ScheduleName = z
  .string()
  .superRefine((v, ctx) => {
    const problem = nameProblem(v, SCHEDULE_NAME_RULES);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('Lowercase DNS-1123 characters, starting with a letter, at most 255 characters.');

/** Why `timeZone` is not an IANA zone this runtime knows, or undefined. */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    return `'${timeZone}' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`;
  }
}

export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .superRefine((v, ctx) => {
    const problem = timeZoneProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('IANA time zone the cron expression is read in; default UTC.');

export const CronText = z
  .string()
  .min(1, 'must not be empty')
  .max(255)
  .describe('Five fields: minute hour day-of-month month day-of-week.');

export const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'] as const;
export const ConcurrencyPolicySchema = z
  .enum(CONCURRENCY_POLICIES)
  .describe('What a fire does while the previous run is active: run too, skip, or stop it first.');

const HistoryLimit = z.number().int().min(0).max(1000);

/** Everything of a schedule a PUT replaces and a PATCH may change. */
const EditableFields = {
  taskDefinitionName: TaskName.describe('Task definition to launch.'),
  cron: CronText,
  timeZone: TimeZone.nullable().optional(),
  arguments: z.array(z.string().max(65_536)).max(500).default([]).describe('Command-line arguments.'),
  properties: LaunchPropertiesSchema.default({}),
  concurrencyPolicy: ConcurrencyPolicySchema.default('Forbid'),
  startingDeadlineSeconds: z
    .number()
    .int()
    .min(1)
    .max(31_536_000)
    .nullable()
    .optional()
    .describe('A fire later than this after its time is skipped (default 300).'),
  successfulJobsHistoryLimit: HistoryLimit.nullable().optional(),
  failedJobsHistoryLimit: HistoryLimit.nullable().optional(),
  suspend: z.boolean().default(false),
};

export const CreateScheduleBody = z
  .object({
    scheduleName: ScheduleName,
    ...EditableFields,
    platform: z
      .string()
      .min(1)
      .max(63)
      .optional()
      .describe('Platform account; the first configured by default.'),
  })
  .strict();
export type CreateScheduleBody = z.infer<typeof CreateScheduleBody>;

/** PUT: the whole schedule again (its name and platform account stay). */
export const ReplaceScheduleBody = z.object(EditableFields).strict();
export type ReplaceScheduleBody = z.infer<typeof ReplaceScheduleBody>;

/** PATCH: only the fields given change. */
export const PatchScheduleBody = z
  .object({
    taskDefinitionName: EditableFields.taskDefinitionName.optional(),
    cron: CronText.optional(),
    timeZone: EditableFields.timeZone,
    arguments: z.array(z.string().max(65_536)).max(500).optional(),
    properties: LaunchPropertiesSchema.optional(),
    concurrencyPolicy: ConcurrencyPolicySchema.optional(),
    startingDeadlineSeconds: EditableFields.startingDeadlineSeconds,
    successfulJobsHistoryLimit: HistoryLimit.nullable().optional(),
    failedJobsHistoryLimit: HistoryLimit.nullable().optional(),
    suspend: z.boolean().optional(),
  })
  .strict();
export type PatchScheduleBody = z.infer<typeof PatchScheduleBody>;

export const ScheduleParams = z.object({ name: ScheduleName });

export const ScheduleSchema = z
  .object({
    name: z.string(),
    taskDefinitionName: z.string(),
    cron: z.string(),
    timeZone: z.string().nullable(),
    arguments: z.array(z.string()).describe('Sanitised.'),
    properties: z.record(z.string(), z.string()).describe('Sanitised.'),
    platformName: z.string(),
    concurrencyPolicy: ConcurrencyPolicySchema,
    startingDeadlineSeconds: z.number().int().nullable(),
    successfulJobsHistoryLimit: z.number().int().nullable(),
    failedJobsHistoryLimit: z.number().int().nullable(),
    suspend: z.boolean(),
    externalName: z.string().nullable().describe('CronJob name (kubernetes).'),
    lastFireTime: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Schedule' });
export type Schedule = z.infer<typeof ScheduleSchema>;

export const ScheduleExecutionSummary = z.object({
  id: z.number().int(),
  status: TaskStatusSchema,
  exitCode: z.number().int().nullable(),
  createdAt: Timestamp,
  startTime: Timestamp.nullable(),
  endTime: Timestamp.nullable(),
});

export const ScheduleDetailSchema = ScheduleSchema.extend({
  nextFireTimes: z.array(Timestamp).describe('The next five, in the schedule’s time zone.'),
  lastScheduleTime: Timestamp.nullable().describe('From the CronJob (kubernetes) or the last fire (local).'),
  recentExecutions: z.array(ScheduleExecutionSummary).describe('Newest first, at most ten.'),
}).meta({ id: 'ScheduleDetail' });
export type ScheduleDetail = z.infer<typeof ScheduleDetailSchema>;

export const ListSchedulesQuery = PageQuery.extend({
  taskDefinitionName: z.string().max(255).optional().describe('Only schedules of this definition.'),
});
export type ListSchedulesQuery = z.infer<typeof ListSchedulesQuery>;

export const DeleteSchedulesQuery = z.object({
  taskDefinitionName: TaskName.describe('Delete every schedule of this definition.'),
});

/** A row of the schedule list: the schedule and its next fire (none while suspended). */
export const ScheduleListItemSchema = ScheduleSchema.extend({
  nextFireTime: Timestamp.nullable().describe('The next fire time; null while suspended.'),
}).meta({ id: 'ScheduleListItem' });
export type ScheduleListItem = z.infer<typeof ScheduleListItemSchema>;

export const SchedulePage = pageOf(ScheduleListItemSchema).meta({ id: 'SchedulePage' });
