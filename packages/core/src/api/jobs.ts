import { z } from 'zod';
import { PageQuery, pageOf } from '../paging.js';
import { Timestamp } from './common.js';

/** Spring Batch's BatchStatus, as the worker records it. */
export const BATCH_STATUSES = [
  'COMPLETED',
  'STARTING',
  'STARTED',
  'STOPPING',
  'STOPPED',
  'FAILED',
  'ABANDONED',
  'UNKNOWN',
] as const;
export const BatchStatusSchema = z.enum(BATCH_STATUSES);
export type BatchStatus = z.infer<typeof BatchStatusSchema>;

const Id = z.coerce.number().int().min(1).max(2_147_483_647);

export const JobExecutionIdParams = z.object({ id: Id });
export const StepExecutionIdParams = z.object({ id: Id, stepId: Id });
export const JobInstanceIdParams = z.object({ id: Id });

export const ListJobExecutionsQuery = PageQuery.extend({
  name: z.string().min(1).max(255).optional().describe('Only executions of this job.'),
  status: BatchStatusSchema.optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Started at or after.'),
  to: z.iso.datetime({ offset: true }).optional().describe('Started before.'),
  taskExecutionId: Id.optional().describe('Only job executions run by this task execution.'),
  jobInstanceId: Id.optional().describe('Only executions of this job instance (SCDF).'),
});
export type ListJobExecutionsQuery = z.infer<typeof ListJobExecutionsQuery>;

export const ListJobInstancesQuery = PageQuery.extend({
  name: z.string().min(1).max(255).optional().describe('Only instances of this job.'),
});
export type ListJobInstancesQuery = z.infer<typeof ListJobInstancesQuery>;

export const JobParameterSchema = z.object({
  name: z.string(),
  type: z.enum(['STRING', 'NUMBER', 'DATE', 'BOOLEAN']),
  value: z.string(),
  identifying: z.boolean(),
});

const Counters = {
  readCount: z.number().int(),
  writeCount: z.number().int(),
  commitCount: z.number().int(),
  rollbackCount: z.number().int(),
  filterCount: z.number().int(),
  readSkipCount: z.number().int(),
  processSkipCount: z.number().int(),
  writeSkipCount: z.number().int(),
};

export const StepExecutionSchema = z
  .object({
    id: z.number().int(),
    jobExecutionId: z.number().int(),
    jobName: z.string(),
    stepName: z.string(),
    status: BatchStatusSchema,
    ...Counters,
    skipCount: z.number().int().describe('read + process + write skips.'),
    exitCode: z.string(),
    exitMessage: z.string(),
    startTime: Timestamp.nullable(),
    endTime: Timestamp.nullable(),
    lastUpdated: Timestamp,
    version: z.number().int(),
    context: z.record(z.string(), z.unknown()).optional().describe('Step ExecutionContext (detail only).'),
  })
  .meta({ id: 'StepExecution' });
export type StepExecution = z.infer<typeof StepExecutionSchema>;

export const JobExecutionSchema = z
  .object({
    id: z.number().int(),
    jobInstanceId: z.number().int(),
    jobName: z.string(),
    taskExecutionId: z.number().int().nullable().describe('The task execution that ran it.'),
    status: BatchStatusSchema,
    exitCode: z.string(),
    exitMessage: z.string(),
    createTime: Timestamp,
    startTime: Timestamp.nullable(),
    endTime: Timestamp.nullable(),
    lastUpdated: Timestamp,
    version: z.number().int(),
    stepExecutionCount: z.number().int(),
    restartable: z.boolean().describe('FAILED or STOPPED, the latest of its instance, run by a task.'),
    stoppable: z.boolean().describe('STARTING or STARTED.'),
    abandonable: z.boolean().describe('FAILED or STOPPED.'),
  })
  .meta({ id: 'JobExecution' });
export type JobExecution = z.infer<typeof JobExecutionSchema>;

export const JobExecutionDetailSchema = JobExecutionSchema.extend({
  parameters: z.array(JobParameterSchema),
  context: z.record(z.string(), z.unknown()).describe('Job ExecutionContext.'),
  steps: z.array(StepExecutionSchema),
}).meta({ id: 'JobExecutionDetail' });
export type JobExecutionDetail = z.infer<typeof JobExecutionDetailSchema>;

export const JobExecutionPage = pageOf(JobExecutionSchema).meta({ id: 'JobExecutionPage' });

export const JobInstanceSchema = z
  .object({
    id: z.number().int(),
    jobName: z.string(),
    jobKey: z.string().describe('SHA-256 of the identifying parameters.'),
    version: z.number().int(),
    createdAt: Timestamp,
    executions: z.array(JobExecutionSchema).describe('Newest first (detail only; at most 100).'),
  })
  .meta({ id: 'JobInstance' });
export type JobInstance = z.infer<typeof JobInstanceSchema>;
export const JobInstancePage = pageOf(JobInstanceSchema.omit({ executions: true })).meta({
  id: 'JobInstancePage',
});

/** SCDF's CumulativeHistory: population standard deviation; all zero when count is 0. */
export const CountDetailsSchema = z.object({
  count: z.number().int(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  standardDeviation: z.number(),
});
export type CountDetails = z.infer<typeof CountDetailsSchema>;

export const HISTORY_FIELDS = [
  'commitCount',
  'rollbackCount',
  'readCount',
  'writeCount',
  'filterCount',
  'readSkipCount',
  'writeSkipCount',
  'processSkipCount',
  'duration',
  'durationPerRead',
] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];

export const StepExecutionHistorySchema = z
  .object({
    jobName: z.string(),
    stepName: z.string(),
    count: z.number().int().describe('Finished executions of this step name in this job.'),
    ...(Object.fromEntries(HISTORY_FIELDS.map((f) => [f, CountDetailsSchema])) as Record<
      HistoryField,
      typeof CountDetailsSchema
    >),
  })
  .describe('Durations in milliseconds; durationPerRead over executions that read at least one item.')
  .meta({ id: 'StepExecutionHistory' });
export type StepExecutionHistory = z.infer<typeof StepExecutionHistorySchema>;

export const PercentCompleteBasis = z.enum([
  'ENDTIME',
  'NOHISTORY',
  'READCOUNT',
  'DURATION',
  'NOINFORMATION',
]);

export const StepProgressSchema = z
  .object({
    stepExecution: StepExecutionSchema,
    stepExecutionHistory: StepExecutionHistorySchema,
    percentageComplete: z.number().describe('0..1 (may exceed 1 when a run outgrows its history).'),
    percentCompleteBasis: PercentCompleteBasis,
    finished: z.boolean(),
    duration: z.number().describe('Milliseconds so far (or in total when finished).'),
  })
  .meta({ id: 'StepExecutionProgress' });
export type StepProgress = z.infer<typeof StepProgressSchema>;

/**
 * SCDF's StepExecutionProgressInfo estimate: finished → 1; no history → 0.5; otherwise reads so
 * far over the mean reads of finished runs, or elapsed time over their mean duration when they
 * read nothing, and 0.5 when even that is unknown.
 */
export function estimateProgress(
  step: { readCount: number; finished: boolean; durationMs: number },
  history: Pick<StepExecutionHistory, 'count' | 'readCount' | 'duration'>,
): { percentageComplete: number; basis: z.infer<typeof PercentCompleteBasis> } {
  if (step.finished) return { percentageComplete: 1, basis: 'ENDTIME' };
  if (history.count === 0) return { percentageComplete: 0.5, basis: 'NOHISTORY' };
  if (history.readCount.mean === 0) {
    if (history.duration.mean === 0) return { percentageComplete: 0.5, basis: 'NOINFORMATION' };
    return { percentageComplete: step.durationMs / history.duration.mean, basis: 'DURATION' };
  }
  return { percentageComplete: step.readCount / history.readCount.mean, basis: 'READCOUNT' };
}
