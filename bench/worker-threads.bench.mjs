// CPU-bound processing on worker threads. Run after a build:
//
//   npx tsc -b packages/db packages/worker && node bench/worker-threads.bench.mjs
//
// The same CPU-bound processor (integer hashing, `BENCH_ROUNDS` rounds per item) runs in a chunk step
// in-thread (the baseline, same run) and through `threadedProcessor` with 1 and 2 threads. Prints
// items/s and the ratio to in-thread. BENCH_ITEMS (default 4000) and BENCH_ROUNDS (default 200000).
import { availableParallelism } from 'node:os';
import {
  chunkStep,
  InMemoryJobRepository,
  iterableReader,
  job,
  launchJob,
  parameters,
  threadedProcessor,
} from '../packages/worker/dist/index.js';
import { hash } from '../packages/worker/src/threads/fixtures/work.mjs';
import { printTable } from './harness.mjs';

const N = Number(process.env.BENCH_ITEMS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200_000);
const items = Array.from({ length: N }, (_, id) => ({ id, seed: id * 2654435761, rounds: ROUNDS }));
const MODULE = new URL('../packages/worker/src/threads/fixtures/work.mjs', import.meta.url);

async function runStep(processor) {
  let written = 0;
  const cpu = process.cpuUsage();
  const t = performance.now();
  const ex = await launchJob(
    job('cpu')
      .start(
        chunkStep('cpu', {
          reader: iterableReader(items),
          processor,
          writer: {
            write: (chunk) => {
              written += chunk.length;
            },
          },
          chunkSize: 100,
        }),
      )
      .build(),
    parameters(),
    { repository: new InMemoryJobRepository() },
  );
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  if (ex.status !== 'COMPLETED' || written !== N)
    throw new Error(`bench run failed: ${ex.status} ${written}`);
  // CPU time of the whole process (all threads) per wall time: how many cores it actually got.
  return { ms, cores: (used.user + used.system) / 1000 / ms };
}

/** Best of three, alternating the cases so each sees the same disturbances of the shared machine. */
const cases = {
  'in-thread': () => ({ process: hash }),
  '1 thread': () => threadedProcessor({ module: MODULE, export: 'hash', threads: 1 }),
  '2 threads': () => threadedProcessor({ module: MODULE, export: 'hash', threads: 2 }),
};
const best = Object.fromEntries(
  Object.keys(cases).map((k) => [k, { ms: Number.POSITIVE_INFINITY, cores: 0 }]),
);
await runStep({ process: hash }); // warm-up
for (let round = 0; round < 3; round++) {
  for (const [name, make] of Object.entries(cases)) {
    const r = await runStep(make());
    if (r.ms < best[name].ms) best[name] = r;
  }
}
const base = best['in-thread'].ms;
printTable(
  `CPU-bound processor, ${N} items × ${ROUNDS} hash rounds, chunk 100 (${availableParallelism()} CPUs seen)`,
  Object.entries(best).map(([name, { ms, cores }]) => ({
    processor: name,
    'items/s': Math.round((N / ms) * 1000),
    'ratio to in-thread': Number((base / ms).toFixed(3)),
    'cores used': Number(cores.toFixed(2)),
  })),
);
