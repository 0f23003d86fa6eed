import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export type { PrismaClient } from './generated/prisma/client.js';

export interface DatabaseOptions {
  url: string;
  /** Pool size of the pg driver under Prisma. */
  poolSize?: number;
}

/** Prisma 7 through the pg driver adapter: no query-engine binary involved. */
export function createPrismaClient(options: DatabaseOptions): PrismaClient {
  const adapter = new PrismaPg({ connectionString: options.url, max: options.poolSize ?? 10 });
  return new PrismaClient({ adapter });
}
