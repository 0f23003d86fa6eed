import type { Db } from './db.js';

/** Idempotency records of launches (see IdempotencyRecord in schema.prisma). */

export interface IdempotencyClaim {
  principal: string;
  key: string;
  requestHash: string;
}

export interface IdempotencyRow {
  requestHash: string;
  taskExecutionId: number;
}

/** The record of `key` for `principal` if it is younger than `windowMs`. */
export async function findRecord(
  db: Db,
  claim: Pick<IdempotencyClaim, 'principal' | 'key'>,
  windowMs: number,
): Promise<IdempotencyRow | undefined> {
  const row = await db.idempotencyRecord.findUnique({
    where: { principal_key: { principal: claim.principal, key: claim.key } },
  });
  if (!row || row.createdAt.getTime() < Date.now() - windowMs) return undefined;
  return { requestHash: row.requestHash, taskExecutionId: row.taskExecutionId };
}

/**
 * Records the key in the launch's own transaction. A record older than the window is replaced;
 * a live one makes this return false (the caller rolls back: another request already launched).
 */
export async function claimRecord(
  db: Db,
  claim: IdempotencyClaim,
  taskExecutionId: number,
  windowMs: number,
) {
  const expired = new Date(Date.now() - windowMs);
  const written = await db.$executeRaw`
    INSERT INTO idempotency_record (principal, key, request_hash, task_execution_id)
    VALUES (${claim.principal}, ${claim.key}, ${claim.requestHash}, ${taskExecutionId})
    ON CONFLICT (principal, key) DO UPDATE
      SET request_hash = excluded.request_hash, task_execution_id = excluded.task_execution_id,
          created_at = CURRENT_TIMESTAMP
      WHERE idempotency_record.created_at < ${expired}`;
  return written === 1;
}

/** Removes records past the window (run by the retention loop). */
export async function pruneRecords(db: Db, windowMs: number): Promise<number> {
  return (
    await db.idempotencyRecord.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - windowMs) } } })
  ).count;
}
