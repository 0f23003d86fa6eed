#!/usr/bin/env node
import { runCliCommand, USAGE, UsageError } from './cli/commands.js';
import { ConfigError, loadConfig } from './config.js';

// The server, the database layer and the Kubernetes client load only for the commands that use
// them, so a REST sub-command (`batchyard tasks list`) starts in a fraction of the time.

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === 'server') {
    const config = loadConfig();
    const { closeOnSignals, startServer } = await import('./server.js');
    const server = await startServer(config);
    closeOnSignals(server, config.server.shutdownTimeoutMs);
    return -1; // keep running
  }
  if (command === 'migrate') {
    const config = loadConfig();
    const [{ migrate }, { createLogger }, { openDatabase }] = await Promise.all([
      import('@batchyard/db'),
      import('./logger.js'),
      import('./runtime.js'),
    ]);
    const logger = createLogger(config.log.level);
    if (config.database.url) {
      const result = await migrate(config.database.url);
      logger.info(result, 'migrations applied');
    } else {
      const db = await openDatabase(
        { ...config, database: { ...config.database, migrateOnStart: true } },
        logger,
      );
      await db.close();
    }
    return 0;
  }
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (await runCliCommand(argv, process.env)) return 0;
  process.stderr.write(`unknown command: ${argv.join(' ')}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`batchyard: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`batchyard: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
