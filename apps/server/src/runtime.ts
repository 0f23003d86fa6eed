import { resolve } from 'node:path';
import {
  createPrismaClient,
  migrate,
  type PrismaClient,
  type RunningPostgres,
  startEmbeddedPostgres,
} from '@batchyard/db';
import type { Logger } from 'pino';
import type { Config } from './config.js';

export interface Database {
  url: string;
  embedded?: RunningPostgres;
  prisma: PrismaClient;
  close(): Promise<void>;
}

/**
 * DATABASE_URL when configured; otherwise a real embedded PostgreSQL in a persistent directory,
 * with a `batchyard` database created on first start.
 */
export async function openDatabase(config: Readonly<Config>, logger: Logger): Promise<Database> {
  let url = config.database.url;
  let embedded: RunningPostgres | undefined;
  if (!url) {
    const dataDir = resolve(config.database.embedded.dir);
    logger.info({ dataDir }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dataDir,
      port: config.database.embedded.port,
      onLog: (line) => logger.debug({ postgres: line.trim() }, 'postgres'),
    });
    await embedded.createDatabase('batchyard');
    url = embedded.url('batchyard');
    logger.info({ port: embedded.port }, 'embedded PostgreSQL ready');
  }
  if (config.database.migrateOnStart) {
    const result = await migrate(url);
    logger.info(
      { applied: result.applied, alreadyApplied: result.alreadyApplied.length },
      'database migrated',
    );
  }
  const prisma = createPrismaClient({ url, poolSize: config.database.poolSize });
  return {
    url,
    embedded,
    prisma,
    close: async () => {
      await prisma.$disconnect();
      await embedded?.stop();
    },
  };
}
