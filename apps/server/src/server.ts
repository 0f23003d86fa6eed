import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { assertSafeListen } from './auth/plugin.js';
import { type Config, loadConfig, redactedConfig, redactUrl } from './config.js';
import { createLogger } from './logger.js';
import { checkPortFree } from './port-check.js';
import { type Database, openDatabase } from './runtime.js';
import { registerSamples } from './samples.js';

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  url: string;
  close(): Promise<void>;
}

/** Starts everything `batchyard server` runs; returns a handle that stops it in order. */
export async function startServer(
  config: Readonly<Config> = loadConfig(),
  options: { logDestination?: NodeJS.WritableStream } = {},
): Promise<RunningServer> {
  const logger = createLogger(config.log, options.logDestination);
  // Before anything starts: an open API off loopback is refused outright.
  assertSafeListen(config.auth, config.server.host, logger);
  // First, before seconds of PostgreSQL, migrations and samples: is the port ours to take?
  await checkPortFree(config.server.host, config.server.port);
  logger.debug({ config: redactedConfig(config) }, 'configuration');
  let app: FastifyInstance | undefined;
  const db = await openDatabase(config, logger, {
    // The embedded database is gone for good: exit non-zero so whatever runs the server sees it.
    onFatal: (reason) => {
      logger.fatal({ reason }, 'the embedded database cannot be restarted; exiting');
      const exit = setTimeout(() => process.exit(1), config.server.shutdownTimeoutMs);
      exit.unref();
      Promise.resolve(app?.close())
        .catch(() => undefined)
        .finally(() => process.exit(1));
    },
  });
  try {
    app = await buildApp({
      config,
      prisma: db.prisma,
      databaseUrl: db.url,
      embeddedDatabase: db.embedded !== undefined,
      ...(db.embeddedState ? { embeddedDatabaseState: db.embeddedState } : {}),
      logger,
    });
    if (config.samples.register) await registerSamples(db.prisma, logger);
    const url = await app.listen({
      host: config.server.host,
      port: config.server.port,
      // Fastify's own 'Server listening at' line is the banner's first line.
      listenTextResolver: (address) => `batchyard is listening on ${address} (dashboard ${address}/)`,
    });
    logBanner(logger, url, db, resolve(config.database.embedded.dir));
    const started = app;
    return {
      app: started,
      db,
      url,
      close: async () => {
        await started.close();
        await db.close();
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await db.close();
    throw err;
  }
}

/** With Fastify's listening line, three lines: the server and dashboard, the API explorer, the database. */
function logBanner(
  logger: ReturnType<typeof createLogger>,
  url: string,
  db: Database,
  dataDir: string,
): void {
  const database = db.embedded
    ? `embedded PostgreSQL on port ${db.embedded.port}, data in ${dataDir}`
    : `PostgreSQL at ${redactUrl(db.url)}`;
  logger.info({ apiExplorer: `${url}/docs` }, `API explorer ${url}/docs, OpenAPI ${url}/openapi.json`);
  logger.info({ database }, `database: ${database}`);
}

/** SIGTERM/SIGINT: stop accepting requests, finish in-flight ones, then close the database. */
export function closeOnSignals(server: RunningServer, timeoutMs: number): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      server.app.log.error('graceful shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
