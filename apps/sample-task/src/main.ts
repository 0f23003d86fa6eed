#!/usr/bin/env node
/**
 * Entry point of the `batchyard/worker-sample` image: the worker runtime with the settlement job
 * built in. Env and arguments as `batchyard-worker` (see packages/worker/README.md), e.g.
 *
 *   BATCHYARD_DATABASE_URL=postgres://… node apps/sample-task/dist/main.js rows=1000 seed=1
 *
 * Two jobs are built in: `settlement` (the default, as before there were two) and `partitioned`
 * (`--job=partitioned`, remote partitions).
 */
import { runWorker } from '@batchyard/worker';
import { jobs } from './settlement.js';

const argv = process.argv.slice(2);
const chosen = argv.some((a) => a.startsWith('--job='));
const code = await runWorker({ argv: chosen ? argv : ['--job=settlement', ...argv], env: process.env, jobs });
process.exit(code);
