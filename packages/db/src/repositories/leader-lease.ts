import type { Db } from './db.js';

/**
 * The PostgreSQL leader lease. One statement takes or renews it, judged on the database's clock
 * (one clock for every replica): the holder renews; anyone takes it over once it has gone a whole
 * lease duration without renewal.
 */

export interface LeaseHeld {
  holder: string;
  transitions: number;
}

/** The lease after trying: held by `identity` (with its epoch), or by someone else. */
export async function tryAcquireOrRenew(
  db: Db,
  name: string,
  identity: string,
  leaseDurationMs: number,
): Promise<{ leading: true; epoch: number } | { leading: false; holder?: string }> {
  const rows = await db.$queryRaw<LeaseHeld[]>`
    INSERT INTO leader_lease (name, holder, acquire_time, renew_time, lease_duration_ms, transitions)
    VALUES (${name}, ${identity}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ${leaseDurationMs}, 0)
    ON CONFLICT (name) DO UPDATE SET
      holder = excluded.holder,
      renew_time = CURRENT_TIMESTAMP,
      lease_duration_ms = excluded.lease_duration_ms,
      acquire_time = CASE WHEN leader_lease.holder = excluded.holder
                          THEN leader_lease.acquire_time ELSE CURRENT_TIMESTAMP END,
      transitions = leader_lease.transitions
                    + CASE WHEN leader_lease.holder = excluded.holder THEN 0 ELSE 1 END
    WHERE leader_lease.holder = excluded.holder
       OR leader_lease.renew_time + leader_lease.lease_duration_ms * INTERVAL '1 millisecond' <= CURRENT_TIMESTAMP
    RETURNING holder, transitions`;
  if (rows[0]) return { leading: true, epoch: rows[0].transitions };
  const current = await db.leaderLease.findUnique({ where: { name } });
  return { leading: false, holder: current?.holder };
}

/** Gives the lease up (graceful shutdown), so a successor need not wait for it to expire. */
export async function release(db: Db, name: string, identity: string): Promise<void> {
  await db.$executeRaw`
    UPDATE leader_lease SET renew_time = 'epoch'::timestamptz
    WHERE name = ${name} AND holder = ${identity}`;
}
