import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';
import { newPool, registerPool } from './sql.js';

export type { PrismaClient } from './generated/prisma/client.js';

export interface DatabaseOptions {
  url: string;
  /** Pool size of the pg driver under Prisma. */
  poolSize?: number;
}

/**
 * Prisma 7 through the pg driver adapter: no query-engine binary involved. The pool is shared with
 * the hot paths' prepared statements (sql.ts), so both count against one `poolSize`.
 */
export function createPrismaClient(options: DatabaseOptions): PrismaClient {
  const pool = newPool(options.url, options.poolSize ?? 10);
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  registerPool(client, pool);
  const disconnect = client.$disconnect.bind(client);
  // PrismaPg does not end a pool it was given: the client's disconnect ends it.
  // Configurable and writable like Prisma's own members: a transaction client is a Proxy of this
  // one, and its traps may only hide properties that are configurable.
  Object.defineProperty(client, '$disconnect', {
    configurable: true,
    writable: true,
    value: async () => {
      await disconnect();
      await pool.end().catch(() => undefined);
    },
  });
  return client;
}
