import type { PrismaClient } from '../generated/prisma/client.js';
import type { Db } from './db.js';

/**
 * The fencing token of the singleton loops: `leader_fence.epoch`, bumped by each replica that
 * begins a term as leader. A loop's write runs in a transaction that first checks the epoch it
 * began with (locking the row for share), so once a successor has bumped it a deposed leader's
 * late write cannot land — and the successor's bump waits until a write already checked commits.
 */

/**
 * Begins a term: bumps the epoch (creating the row at 1) and returns it. Waits at most
 * `lockTimeoutMs` for writes that checked the previous epoch to end (then throws; try again).
 */
export async function beginTerm(
  db: PrismaClient,
  name: string,
  holder: string,
  lockTimeoutMs: number,
): Promise<number> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT set_config('lock_timeout', ${`${Math.ceil(lockTimeoutMs)}ms`}, true)`;
    return bump(tx, name, holder);
  });
}

async function bump(db: Db, name: string, holder: string): Promise<number> {
  const rows = await db.$queryRaw<{ epoch: bigint }[]>`
    INSERT INTO leader_fence (name, epoch, holder, updated_at)
    VALUES (${name}, 1, ${holder}, CURRENT_TIMESTAMP)
    ON CONFLICT (name) DO UPDATE SET
      epoch = leader_fence.epoch + 1,
      holder = excluded.holder,
      updated_at = CURRENT_TIMESTAMP
    RETURNING epoch`;
  return Number(rows[0]!.epoch);
}

/**
 * True while `epoch` is the current term. Inside a transaction, the row stays locked for share
 * until it ends: a successor's `beginTerm` waits for the checked write to commit. So that a
 * writer cut off mid-transaction (a partition) cannot hold a successor back for as long as its dead
 * connection lingers, PostgreSQL ends the transaction once it has been idle `idleTimeoutMs`.
 */
export async function holds(db: Db, name: string, epoch: number, idleTimeoutMs: number): Promise<boolean> {
  await db.$queryRaw`
    SELECT set_config('idle_in_transaction_session_timeout', ${`${Math.ceil(idleTimeoutMs)}ms`}, true)`;
  const rows = await db.$queryRaw<{ ok: number }[]>`
    SELECT 1 AS ok FROM leader_fence WHERE name = ${name} AND epoch = ${epoch} FOR SHARE`;
  return rows.length === 1;
}

/** The current term and who began it (undefined before anyone led). */
export async function current(db: Db, name: string): Promise<{ epoch: number; holder: string } | undefined> {
  const rows = await db.$queryRaw<{ epoch: bigint; holder: string }[]>`
    SELECT epoch, holder FROM leader_fence WHERE name = ${name}`;
  return rows[0] ? { epoch: Number(rows[0].epoch), holder: rows[0].holder } : undefined;
}
