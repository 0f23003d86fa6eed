import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export interface AuditEntry {
  operation: string;
  action: string;
  correlationId: string;
  data?: Prisma.InputJsonValue;
  platformName?: string;
}

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.auditRecord.create({ data: entry });
}
