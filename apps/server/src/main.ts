#!/usr/bin/env node
import { runCli } from './cli/run.js';
import { ConfigError, loadConfig } from './config.js';

// The server, the database layer and the Kubernetes client load only for the commands that use
// them, so a REST sub-command (`batchyard tasks list`) starts in a fraction of the time.

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  // `batchyard server --help` explains, it does not start a server.
  if ((command === 'server' || command === 'migrate') && argv.some((a) => a === '--help' || a === '-h')) {
    return runCli(['help'], io);
  }
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
    const logger = createLogger(config.log);
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
  if (command === 'token') {
    const config = loadConfig();
    const { runTokenCommand } = await import('./auth/token-command.js');
    return runTokenCommand(argv.slice(1), config, (line) => process.stdout.write(`${line}\n`));
  }
  if (command === '--help' || command === '-h') return runCli(['help'], io);
  return runCli(argv, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`batchyard: ${(err as Error).message}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
