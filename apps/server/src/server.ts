import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { type Config, loadConfig, redactedConfig } from './config.js';
import { createLogger } from './logger.js';
import { type Database, openDatabase } from './runtime.js';
import { registerSamples } from './samples.js';

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  url: string;
  close(): Promise<void>;
}

/** Starts everything `batchyard server` runs; returns a handle that stops it in order. */
export async function startServer(config: Readonly<Config> = loadConfig()): Promise<RunningServer> {
  const logger = createLogger(config.log.level);
  logger.info({ config: redactedConfig(config) }, 'starting batchyard');
  const db = await openDatabase(config, logger);
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp({
      config,
      prisma: db.prisma,
      databaseUrl: db.url,
      embeddedDatabase: db.embedded !== undefined,
      logger,
    });
    if (config.samples.register) await registerSamples(db.prisma, logger);
    const url = await app.listen({ host: config.server.host, port: config.server.port });
    logger.info({ url }, 'batchyard is listening; API explorer at /docs');
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
