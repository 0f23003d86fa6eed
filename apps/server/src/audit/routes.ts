import {
  badCursor,
  decodeCursor,
  encodeCursor,
  errorResponses,
  PageQuery,
  pageOf,
  Timestamp,
} from '@batchyard/core';
import { audit, type PrismaClient } from '@batchyard/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const tags = ['security'];

const AuditRecordSchema = z
  .object({
    id: z.number().int(),
    operation: z
      .string()
      .describe(
        'What kind of object: TASK_DEFINITION, TASK_EXECUTION, SCHEDULE, JOB, APP_REGISTRATION, API_TOKEN, HTTP',
      ),
    action: z.string().describe('CREATE, UPDATE, DELETE, LAUNCH, STOP, …'),
    correlationId: z.string().describe('The target: a name or an id'),
    principal: z.string().nullable(),
    outcome: z.string().nullable(),
    requestId: z.string().nullable(),
    platformName: z.string().nullable(),
    data: z.unknown().nullable().describe('Sanitised details'),
    createdAt: Timestamp,
  })
  .meta({ id: 'AuditRecord' });

const ListAuditQuery = PageQuery.extend({
  operation: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  principal: z.string().max(255).optional(),
  target: z.string().max(255).optional().describe('correlationId: the name or id of the object'),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
});

/** SCDF's audit trail: who changed what, when, with what outcome; newest first, keyset-paged. */
export function auditRoutes(prisma: PrismaClient): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/audit-records',
      {
        config: { role: 'MANAGE' },
        schema: {
          tags,
          summary: 'Audit records, newest first (filters: operation, action, principal, target, time)',
          querystring: ListAuditQuery,
          response: { 200: pageOf(AuditRecordSchema).meta({ id: 'AuditRecordPage' }), ...errorResponses },
        },
      },
      async (req) => {
        const q = req.query;
        let beforeId: number | undefined;
        if (q.cursor) {
          const key = decodeCursor(q.cursor);
          if (!key || typeof key[0] !== 'number') throw badCursor();
          beforeId = key[0];
        }
        const filter: audit.AuditFilter = {
          operation: q.operation,
          action: q.action,
          principal: q.principal,
          correlationId: q.target,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
        };
        const rows = await audit.listAudit(prisma, { ...filter, beforeId }, q.size);
        const items = rows
          .slice(0, q.size)
          .map((r) => ({ ...r, data: r.data ?? null, createdAt: r.createdAt.toISOString() }));
        const last = items.at(-1);
        return {
          items,
          page: {
            size: q.size,
            next: rows.length > q.size && last ? encodeCursor([last.id]) : null,
            ...(q.total ? { total: await audit.countAudit(prisma, filter) } : {}),
          },
        };
      },
    );
  };
}
