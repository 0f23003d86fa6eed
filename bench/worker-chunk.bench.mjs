// Worker chunk engine throughput. Run after a build:
//
//   npx tsc -b packages/db packages/worker && node bench/worker-chunk.bench.mjs
//
// DATABASE_URL=postgres://… uses that server (migrated first); otherwise an embedded PostgreSQL is
// started in a temporary directory. BENCH_ITEMS scales the in-memory runs (default 500000).
//
// Prints items/s of (1) a chunk step with in-memory reader/writer at chunk sizes 10/100/1000 against
// a bare loop doing the same work (read from an array, identity process, push to an array), (2) CSV → CSV through the engine (Spring Batch publishes ~26,000
// items/s for its in-memory CSV→CSV sample at commit interval 1000), (3) the Postgres job
// repository + transactional batch writer against bare batched INSERTs of the same rows.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  chunkStep,
  csvReader,
  csvWriter,
  InMemoryJobRepository,
  iterableReader,
  job,
  launchJob,
  PostgresJobRepository,
  parameters,
  pgWriter,
} from '../packages/worker/dist/index.js';
import { benchDatabase, printTable } from './harness.mjs';

const N = Number(process.env.BENCH_ITEMS ?? 500_000);
const items = Array.from({ length: N }, (_, i) => ({ id: i, name: `item-${i}`, amount: i % 1000 }));
// The "work": a small transformation per item, the same in the engine and the bare loop.
const transform = (x) => ({ id: x.id, name: x.name.toUpperCase(), amount: x.amount * 2 });

const rate = (n, ms) => Math.round((n / ms) * 1000);

async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

// The in-memory comparison (issue 15): same process, same work — read from an array, an identity
// process, push to an array — through the engine and through a bare loop that gathers the same chunks.
const identity = (x) => x;

// The bare loop hands each chunk to a write function, as the engine hands it to the writer.
function bareLoop(chunkSize) {
  const out = [];
  const write = (chunk) => {
    for (let j = 0; j < chunk.length; j++) out.push(chunk[j]);
  };
  let chunk = [];
  for (let i = 0; i < items.length; i++) {
    chunk.push(identity(items[i]));
    if (chunk.length === chunkSize) {
      write(chunk);
      chunk = [];
    }
  }
  if (chunk.length) write(chunk);
  return out.length;
}

/** Best of `rounds`, alternating two cases so both see the same disturbances of the shared machine. */
async function bestOfAlternating(a, b, rounds = 7) {
  let ta = Number.POSITIVE_INFINITY;
  let tb = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    ta = Math.min(ta, await time(a));
    tb = Math.min(tb, await time(b));
  }
  return [ta, tb];
}

async function engine(chunkSize, run, work = identity) {
  const out = [];
  const step = chunkStep('bench', {
    reader: iterableReader(items),
    processor: { process: work },
    writer: {
      write: (chunk) => {
        for (let j = 0; j < chunk.length; j++) out.push(chunk[j]);
      },
    },
    chunkSize,
  });
  const ex = await launchJob(job('bench').start(step).build(), parameters({ run }), {
    repository: new InMemoryJobRepository(),
  });
  if (ex.status !== 'COMPLETED' || out.length !== N)
    throw new Error(`bench run failed: ${ex.status} ${out.length}`);
}

const memRows = [];
let run = 0;
for (const chunkSize of [10, 100, 1000]) {
  await engine(chunkSize, run++); // warm-up
  bareLoop(chunkSize);
  const [tEngine, tBare] = await bestOfAlternating(
    () => engine(chunkSize, run++),
    async () => bareLoop(chunkSize),
  );
  memRows.push({
    'chunk size': chunkSize,
    'engine items/s': rate(N, tEngine),
    'bare loop items/s': rate(N, tBare),
    'engine / bare': Number((tBare / tEngine).toFixed(3)),
  });
}
printTable(`In-memory chunk step (array → identity → array), ${N} items`, memRows);
if (process.env.BENCH_ONLY_MEMORY) process.exit(0);

// CSV → CSV, commit interval 1000.
const dir = await mkdtemp(join(tmpdir(), 'worker-bench-'));
const CSV_ROWS = Math.min(N, 200_000);
await writeFile(
  join(dir, 'in.csv'),
  `id,name,amount\n${items
    .slice(0, CSV_ROWS)
    .map((x) => `${x.id},${x.name},${x.amount}`)
    .join('\n')}\n`,
);
const csvTime = await time(async () => {
  const ex = await launchJob(
    job('csv')
      .start(
        chunkStep('csv', {
          reader: csvReader({
            path: join(dir, 'in.csv'),
            map: (r) => ({ id: Number(r.id), name: r.name, amount: Number(r.amount) }),
          }),
          processor: { process: transform },
          writer: csvWriter({ path: join(dir, 'out.csv'), columns: ['id', 'name', 'amount'] }),
          chunkSize: 1000,
        }),
      )
      .build(),
    parameters(),
    { repository: new InMemoryJobRepository() },
  );
  if (ex.status !== 'COMPLETED') throw new Error(ex.exitStatus.toString());
});
printTable('CSV → CSV through the engine (commit interval 1000)', [
  { rows: CSV_ROWS, 'items/s': rate(CSV_ROWS, csvTime), 'Spring Batch published items/s': 26_000 },
]);
await rm(dir, { recursive: true, force: true });

// Postgres: job repository + transactional writer vs bare batched INSERTs.
const PG_ROWS_ALL = Number(process.env.BENCH_PG_ROWS ?? 100_000);
const db = await benchDatabase('worker_bench');
const pool = new pg.Pool({ connectionString: db.url, max: 4 });
try {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_out (id INT PRIMARY KEY, name TEXT NOT NULL, amount INT NOT NULL)',
  );
  const pgRows = [];
  for (const chunkSize of [10, 100, 1000]) {
    // Chunk 10 is a transaction per 10 rows: a tenth of the rows keeps that case to seconds.
    const PG_ROWS = chunkSize === 10 ? Math.floor(PG_ROWS_ALL / 10) : PG_ROWS_ALL;
    const rows = items.slice(0, PG_ROWS).map(transform);
    const bare = async () => {
      const c = await pool.connect();
      try {
        for (let i = 0; i < rows.length; i += chunkSize) {
          const slice = rows.slice(i, i + chunkSize);
          const values = [];
          const tuples = slice.map((r, j) => {
            values.push(r.id, r.name, r.amount);
            return `($${j * 3 + 1}, $${j * 3 + 2}, $${j * 3 + 3})`;
          });
          await c.query('BEGIN');
          await c.query(`INSERT INTO bench_out (id, name, amount) VALUES ${tuples.join(', ')}`, values);
          await c.query('COMMIT');
        }
      } finally {
        c.release();
      }
    };
    const repo = new PostgresJobRepository(pool);
    const engineRun = async () => {
      const ex = await launchJob(
        job('pg-bench')
          .start(
            chunkStep('load', {
              reader: iterableReader(items.slice(0, PG_ROWS)),
              processor: { process: transform },
              writer: pgWriter({
                table: 'bench_out',
                columns: ['id', 'name', 'amount'],
                toRow: (r) => [r.id, r.name, r.amount],
              }),
              chunkSize,
            }),
          )
          .build(),
        parameters({ chunkSize, at: Date.now(), run: run++ }),
        { repository: repo },
      );
      if (ex.status !== 'COMPLETED') throw new Error(ex.exitStatus.toString());
    };
    // Three alternating rounds, the best of each side: the machine is shared, and alternating
    // exposes both sides to the same disturbances.
    let tBare = Number.POSITIVE_INFINITY;
    let tEngine = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      await pool.query('TRUNCATE bench_out');
      tBare = Math.min(tBare, await time(bare));
      await pool.query('TRUNCATE bench_out');
      tEngine = Math.min(tEngine, await time(engineRun));
    }
    pgRows.push({
      'chunk size': chunkSize,
      rows: PG_ROWS,
      'engine items/s': rate(PG_ROWS, tEngine),
      'bare INSERT items/s': rate(PG_ROWS, tBare),
      'engine / bare': Number((tBare / tEngine).toFixed(3)),
    });
  }
  printTable('Postgres repository + transactional batch writer vs bare batched INSERT', pgRows);
} finally {
  await pool.end();
  await db.close();
}
