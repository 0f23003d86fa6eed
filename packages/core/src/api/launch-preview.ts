import { z } from 'zod';

/** The execution id a launch preview is built for: the real one exists only once the launch does. */
export const PREVIEW_EXECUTION_ID = 0;

/** `POST /tasks/executions/preview`: what a launch with the same body would run, creating nothing. */
export const LaunchPreviewSchema = z
  .object({
    taskName: z.string(),
    composed: z
      .boolean()
      .describe('A composed task: no manifest of its own, each child is built as it starts.'),
    platformName: z.string().nullable().describe('The platform account the launch would use.'),
    platformType: z.string().nullable(),
    app: z
      .object({ name: z.string(), version: z.string(), uri: z.string() })
      .nullable()
      .describe('The registered app version that would run.'),
    manifest: z
      .unknown()
      .nullable()
      .describe(
        'The manifest the launch would record as execution.manifest (Kubernetes Job, or local command, ' +
          'working directory and environment names), secrets masked; built for execution id 0, ' +
          'which the launch replaces by its own id (Job name, labels, BATCHYARD_TASK_EXECUTION_ID).',
      ),
    executionId: z.literal(PREVIEW_EXECUTION_ID).describe('The placeholder execution id of `manifest`.'),
  })
  .meta({ id: 'LaunchPreview' });
export type LaunchPreview = z.infer<typeof LaunchPreviewSchema>;
