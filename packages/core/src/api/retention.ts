import { z } from 'zod';
import { TaskName } from './definitions.js';

const Days = z.number().int().min(1).max(36_500);
const KeepLast = z.number().int().min(1).max(10_000_000);

/**
 * A task definition's retention override: a key left out inherits the server's default
 * (`retention.days`, `retention.keepLast`), `null` lifts that limit for this task.
 */
export const RetentionOverride = z
  .object({
    days: Days.nullable()
      .optional()
      .describe('Keep executions this many days after they ended; null = no age limit for this task.'),
    keepLast: KeepLast.nullable()
      .optional()
      .describe('Keep only this many newest executions of the task; null = no count limit for this task.'),
  })
  .strict();
export type RetentionOverride = z.infer<typeof RetentionOverride>;

export const RetentionPolicySchema = z.object({
  days: z.number().int().nullable().describe('Age limit in days after the end; null = none.'),
  keepLast: z.number().int().nullable().describe('Newest executions kept per task; null = no count limit.'),
});

export const DefinitionRetentionSchema = z.object({
  name: z.string(),
  /** The definition's own override, as stored (null: none, the default applies). */
  override: RetentionOverride.nullable(),
  effective: RetentionPolicySchema,
});

export const RetentionPreviewQuery = z.object({
  task: TaskName.optional().describe('Only this task.'),
  sample: z.coerce.number().int().min(0).max(1000).default(10).describe('Top-level ids listed per task.'),
});

const Point = z.object({ id: z.number().int(), endTime: z.string().nullable() }).nullable();

export const RetentionPreviewSchema = z.object({
  generatedAt: z.string(),
  default: RetentionPolicySchema,
  tasks: z.array(
    z.object({
      taskName: z.string(),
      policy: RetentionPolicySchema,
      executions: z.number().int().describe('Executions that would go, composed children included.'),
      jobExecutions: z.number().int(),
      oldest: Point,
      newest: Point,
      sampleIds: z.array(z.number().int()),
    }),
  ),
  totals: z.object({ executions: z.number().int(), jobExecutions: z.number().int() }),
});

export const RetentionRunSchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  batches: z.number().int(),
  removed: z.object({
    task_execution: z.number().int(),
    job_execution: z.number().int(),
    step_execution: z.number().int(),
    job_instance: z.number().int(),
  }),
  tasks: z.array(z.object({ taskName: z.string(), executions: z.number().int() })),
  archiveFile: z.string().nullable(),
  interrupted: z.string().nullable(),
});
