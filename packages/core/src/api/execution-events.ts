import { z } from 'zod';

/** What the platform recorded about an execution's resources (Kubernetes Events of its Job and pods). */
export const ExecutionEventSchema = z.object({
  time: z.iso.datetime().nullable().describe('When it last happened'),
  type: z.string().describe('Normal or Warning'),
  reason: z.string().describe('FailedCreate, Scheduled, BackOff, …'),
  message: z.string(),
  object: z.object({ kind: z.string(), name: z.string() }).describe('The Job or pod it is about'),
  count: z.number().int().min(1),
  source: z
    .string()
    .nullable()
    .describe('The component that reported it (job-controller, default-scheduler, kubelet)'),
});
export type ExecutionEvent = z.infer<typeof ExecutionEventSchema>;

export const ExecutionEventList = z.object({
  items: z.array(ExecutionEventSchema).describe('Oldest first'),
});
