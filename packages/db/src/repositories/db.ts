import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

/** A client or a transaction: repositories work inside whatever the service opened. */
export type Db = PrismaClient | Prisma.TransactionClient;
