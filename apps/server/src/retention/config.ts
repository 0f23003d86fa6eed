import { z } from 'zod';

/** `retention`: the default policy and how the leader applies it (per-task overrides: the API). */
export const RetentionConfig = z
  .object({
    days: z.coerce
      .number()
      .int()
      .min(1)
      .max(36_500)
      .optional()
      .describe('Default: keep finished executions this many days after they ended (omitted: no age limit).'),
    keepLast: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .describe('Default: keep only this many newest executions per task (omitted: no count limit).'),
    intervalSeconds: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(3600)
      .describe('How often the leader applies retention (0: never on its own; POST /tasks/retention/run).'),
    batchSize: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(500)
      .describe('Executions (with their composed children and batch metadata) deleted per transaction.'),
    pauseMs: z.coerce
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(100)
      .describe('Pause between two delete transactions, so retention never crowds out launches.'),
    archiveDir: z
      .string()
      .min(1)
      .optional()
      .describe('Write what is deleted as JSON lines here first (one file per run, named by date).'),
  })
  .prefault({});
export type RetentionConfig = z.infer<typeof RetentionConfig>;

export const RETENTION_ENV_KEYS: Record<string, string> = {
  BATCHYARD_RETENTION_DAYS: 'retention.days',
  BATCHYARD_RETENTION_KEEP_LAST: 'retention.keepLast',
  BATCHYARD_RETENTION_INTERVAL_SECONDS: 'retention.intervalSeconds',
  BATCHYARD_RETENTION_BATCH_SIZE: 'retention.batchSize',
  BATCHYARD_RETENTION_PAUSE_MS: 'retention.pauseMs',
  BATCHYARD_RETENTION_ARCHIVE_DIR: 'retention.archiveDir',
};
