import pg from 'pg';
import type { PrismaClient } from './generated/prisma/client.js';
import type { Db } from './repositories/db.js';

/**
 * Hot paths (a launch, a list page) send their SQL straight through the pg pool Prisma itself runs
 * on, as named prepared statements: parsed and planned once per connection, and none of Prisma's
 * per-query work (query building, result mapping). Everything else stays on Prisma.
 */
export interface Sql {
  query<R>(statement: Statement, values: readonly unknown[]): Promise<R[]>;
}

/** A named statement: `name` identifies its prepared plan on each connection, so it must be unique. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

const pools = new WeakMap<object, pg.Pool>();

/** Registers the pool under a client (client.ts does it for every client it creates). */
export function registerPool(client: PrismaClient, pool: pg.Pool): void {
  pools.set(client, pool);
}

/**
 * The pool of a client made by createPrismaClient; any other client (a transaction) runs the same
 * text through Prisma, so a statement can join the caller's transaction.
 */
export function sqlOf(db: Db): Sql {
  const pool = pools.get(db);
  if (pool) {
    return {
      async query<R>(s: Statement, values: readonly unknown[]) {
        return (await pool.query({ name: s.name, text: s.text, values: [...values] })).rows as R[];
      },
    };
  }
  return {
    query: <R>(s: Statement, values: readonly unknown[]) => db.$queryRawUnsafe<R[]>(s.text, ...values),
  };
}

export function newPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle connection's error (the server restarted) only retires that connection; the next
  // query opens a new one. Without a listener it would crash the process.
  pool.on('error', () => undefined);
  return pool;
}
