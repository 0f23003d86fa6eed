#!/usr/bin/env node
/**
 * `batchyard-worker`: the entry point of a worker pod. Env and argument contract: see README.md and
 * `cli/args.ts`; exit codes: `EXIT_CODES` in `cli/run.ts`.
 */
import { runWorker } from './cli/run.js';

const code = await runWorker({ argv: process.argv.slice(2), env: process.env });
// Exit explicitly: a job module that leaves a handle open (a pool, a timer) must not keep the pod alive.
process.exit(code);
