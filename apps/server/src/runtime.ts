import { resolve } from 'node:path';
import { isDefaultPrefixes } from '@batchyard/core';
import {
  createPrismaClient,
  ensureTablePrefixes,
  migrate,
  type PrismaClient,
  type RunningPostgres,
  startEmbeddedPostgres,
} from '@batchyard/db';
import type { Logger } from 'pino';
import { type Config, tablePrefixes } from './config.js';
import { type EmbeddedDatabaseState, EmbeddedSupervisor } from './database/embedded-supervisor.js';

export interface Database {
  /** What the application (and the tasks it launches) connect with: never a superuser's URL. */
  url: string;
  embedded?: RunningPostgres;
  /** The embedded database's health (undefined with DATABASE_URL). */
  embeddedState?: () => EmbeddedDatabaseState;
  prisma: PrismaClient;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** The embedded database died and could not be restarted: the process should exit non-zero. */
  onFatal?: (reason: string) => void;
}

const DATABASE = 'batchyard';

/**
 * DATABASE_URL when configured; otherwise a real embedded PostgreSQL in a persistent directory.
 * There the superuser (random password, kept in the data directory) creates the application
 * role and its `batchyard` database and runs the migrations; everything else connects as the
 * application role, and a supervisor restarts the cluster if it dies.
 */
export async function openDatabase(
  config: Readonly<Config>,
  logger: Logger,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  let url = config.database.url;
  let migrationUrl = url;
  let embedded: RunningPostgres | undefined;
  let supervisor: EmbeddedSupervisor | undefined;
  if (!url) {
    const dataDir = resolve(config.database.embedded.dir);
    logger.info({ dataDir }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dataDir,
      port: config.database.embedded.port,
      onLog: (line) => logger.debug({ postgres: line.trim() }, 'postgres'),
    });
    try {
      url = await embedded.appDatabase(DATABASE);
      migrationUrl = embedded.url(DATABASE);
    } catch (err) {
      await embedded.stop();
      throw err;
    }
    logger.info({ port: embedded.port }, 'embedded PostgreSQL ready');
  }
  if (!url || !migrationUrl) throw new Error('no database URL'); // unreachable: set in both branches
  try {
    if (config.database.migrateOnStart) {
      const result = await migrate(migrationUrl);
      logger.info(
        { applied: result.applied, alreadyApplied: result.alreadyApplied.length },
        'database migrated',
      );
    }
    // Objects the superuser's migrations created (or an old cluster's superuser owned) go to the
    // application role, every start: idempotent, and a no-op once they are its own.
    await embedded?.handOver(DATABASE);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  if (embedded) {
    const onFatal = options.onFatal;
    supervisor = new EmbeddedSupervisor(embedded, {
      maxAttempts: config.database.embedded.restartAttempts,
      log: logger,
      onGiveUp: (reason) => onFatal?.(reason),
    });
  }
  const prisma = createPrismaClient({ url, poolSize: config.database.poolSize });
  try {
    await applyTablePrefixes(config, prisma, logger);
  } catch (err) {
    supervisor?.stop();
    await prisma.$disconnect();
    await embedded?.stop();
    throw err;
  }
  const watched = supervisor;
  return {
    url,
    embedded,
    ...(watched ? { embeddedState: () => watched.state() } : {}),
    prisma,
    close: async () => {
      watched?.stop();
      await prisma.$disconnect();
      await embedded?.stop();
    },
  };
}

/**
 * The job repository's names for the configured Spring table prefixes (views and sequences,
 * packages/db/src/spring-prefix.ts). With Spring's defaults it only moves sequences forward and
 * needs the migrations' ownership, so it runs with them; another prefix always needs it.
 */
export async function applyTablePrefixes(
  config: Readonly<Config>,
  prisma: PrismaClient,
  logger: Logger,
): Promise<void> {
  const prefixes = tablePrefixes(config);
  if (!config.database.migrateOnStart && isDefaultPrefixes(prefixes)) return;
  const result = await ensureTablePrefixes(prisma, prefixes);
  if (result.created.length > 0 || result.advanced.length > 0) {
    logger.info({ prefixes, ...result }, 'Spring table prefixes');
  }
}
