import { z } from 'zod';
import { TaskStatusSchema } from './executions.js';
import { BatchStatusSchema } from './jobs.js';

/**
 * The dashboard's one server-push channel (`GET /events`, Server-Sent Events): what changed, not
 * the whole row; a page re-reads what it shows through the REST API.
 */
export const EVENT_TOPICS = ['executions', 'jobs', 'steps'] as const;
export const EventTopic = z.enum(EVENT_TOPICS);
export type EventTopic = z.infer<typeof EventTopic>;

export const EventsQuery = z.object({
  topics: z
    .string()
    .max(200)
    .default(EVENT_TOPICS.join(','))
    .transform((s, ctx) => {
      const topics = s.split(',').map((t) => t.trim());
      const unknown = topics.filter((t) => !EventTopic.safeParse(t).success);
      if (unknown.length) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown topic(s) ${unknown.join(', ')}; expected ${EVENT_TOPICS.join(', ')}`,
        });
        return z.NEVER;
      }
      return new Set(topics as EventTopic[]);
    })
    .describe('Comma-separated: executions, jobs, steps.'),
});

export const DashboardEventSchema = z
  .discriminatedUnion('topic', [
    z.object({ topic: z.literal('executions'), id: z.number().int(), status: TaskStatusSchema }),
    z.object({ topic: z.literal('jobs'), id: z.number().int(), status: BatchStatusSchema }),
    z.object({
      topic: z.literal('steps'),
      id: z.number().int(),
      jobExecutionId: z.number().int(),
      status: BatchStatusSchema,
      readCount: z.number().int(),
      writeCount: z.number().int(),
      commitCount: z.number().int(),
    }),
  ])
  .describe('One message of GET /events (its `data:` line).')
  .meta({ id: 'DashboardEvent' });
export type DashboardEvent = z.infer<typeof DashboardEventSchema>;
