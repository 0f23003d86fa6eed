import { AsyncLocalStorage } from 'node:async_hooks';
import { redactJson } from '@batchyard/core';
import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export interface AuditEntry {
  operation: string;
  action: string;
  correlationId: string;
  data?: Prisma.InputJsonValue;
  platformName?: string;
  /** Default: the caller of the current request (see auditScope), or `system` outside one. */
  outcome?: 'SUCCESS' | 'FAILURE';
}

/** Who is making changes in the current async context: one per HTTP request. */
export interface AuditCaller {
  principal: string;
  requestId: string;
  /** Set once a record was written in this request, so the HTTP layer does not write a second. */
  recorded: boolean;
}

/**
 * The HTTP layer runs each request inside this scope, so every record written while serving it
 * (in the service's own transaction) names the principal and the request without each service
 * passing them down; loops outside a request record `system`.
 */
export const auditScope = new AsyncLocalStorage<AuditCaller>();

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  const caller = auditScope.getStore();
  const { outcome = 'SUCCESS', data, ...rest } = entry;
  await db.auditRecord.create({
    data: {
      ...rest,
      // Details are kept as given minus anything secret-looking (DSL properties, URLs, keys).
      ...(data === undefined ? {} : { data: redactJson(data) as Prisma.InputJsonValue }),
      outcome,
      principal: caller?.principal ?? 'system',
      requestId: caller?.requestId ?? null,
    },
  });
  if (caller) caller.recorded = true;
}

export interface AuditFilter {
  operation?: string;
  action?: string;
  principal?: string;
  correlationId?: string;
  from?: Date;
  to?: Date;
  /** Keyset: records older than this id. */
  beforeId?: number;
}

function whereOf(filter: AuditFilter): Prisma.AuditRecordWhereInput {
  return {
    operation: filter.operation,
    action: filter.action,
    principal: filter.principal,
    correlationId: filter.correlationId,
    createdAt: filter.from || filter.to ? { gte: filter.from, lt: filter.to } : undefined,
  };
}

export async function listAudit(db: Db, filter: AuditFilter, size: number) {
  return db.auditRecord.findMany({
    where: {
      ...whereOf(filter),
      id: filter.beforeId !== undefined ? { lt: filter.beforeId } : undefined,
    },
    orderBy: { id: 'desc' },
    take: size + 1,
  });
}

export async function countAudit(db: Db, filter: AuditFilter): Promise<number> {
  return db.auditRecord.count({ where: whereOf(filter) });
}
