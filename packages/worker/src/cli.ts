#!/usr/bin/env node
/**
 * `batchyard-worker`: the entry point of a worker pod. Env and argument contract: see README.md and
 * `cli/args.ts`; exit codes: `EXIT_CODES` in `cli/run.ts`.
 */
import { EXIT_CODES, runWorker } from './cli/run.js';
import { jsonLogger } from './model/log.js';
import { describeError } from './model/status.js';

const log = jsonLogger();
// An error escaping user code outside the awaited chain: log it as JSON and exit like a crash
// (the execution stays STARTED until the control plane's reconciler recovers it).
const crash = (kind: string) => (error: unknown) => {
  log.error(kind, { error: describeError(error), exitCode: EXIT_CODES.INTERNAL });
  process.exit(EXIT_CODES.INTERNAL);
};
process.on('uncaughtException', crash('uncaught exception'));
process.on('unhandledRejection', crash('unhandled rejection'));

const code = await runWorker({ argv: process.argv.slice(2), env: process.env, log });
// Exit explicitly: a job module that leaves a handle open (a pool, a timer) must not keep the pod alive.
process.exit(code);
