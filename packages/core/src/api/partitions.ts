import { z } from 'zod';
import { TaskStatusSchema } from './executions.js';

/** A partition step execution id (BATCH_STEP_EXECUTION.STEP_EXECUTION_ID). */
const StepExecutionId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const LaunchPartitionsBody = z
  .object({
    partitions: z
      .array(
        z
          .object({
            stepExecutionId: StepExecutionId.describe('The partition step execution the child runs.'),
          })
          .strict(),
      )
      .min(1)
      .max(1000)
      .describe('One child execution is launched per entry; a repeated entry returns the same child.'),
  })
  .strict();
export type LaunchPartitionsBody = z.infer<typeof LaunchPartitionsBody>;

export const PartitionSchema = z
  .object({
    stepExecutionId: z.number().int(),
    stepName: z.string().describe('`<step>:<partition>`'),
    executionId: z.number().int().describe("The child task execution's id."),
    status: TaskStatusSchema.describe("The child task execution's status."),
    reason: z.string().nullable().describe('Why the child ended as it did (OOMKilled, Evicted, …).'),
    stepStatus: z.string().describe("The partition step execution's batch status."),
    exitMessage: z.string(),
    readCount: z.number().int(),
    writeCount: z.number().int(),
    commitCount: z.number().int(),
  })
  .meta({ id: 'Partition' });
export type Partition = z.infer<typeof PartitionSchema>;

export const PartitionList = z.object({
  items: z.array(PartitionSchema),
  done: z
    .boolean()
    .describe('Every listed child has ended and every partition step execution is no longer running.'),
});
export type PartitionList = z.infer<typeof PartitionList>;

export const PartitionsQuery = z.object({
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(60)
    .default(0)
    .describe('Long poll: answer once every partition is done, or after this many seconds.'),
});
