// Shared pieces of the benchmarks: a PostgreSQL to run against (DATABASE_URL or an embedded one in a
// temporary directory), timing helpers and a table printer. Every benchmark compares against a
// baseline measured in the same run and prints the ratio.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { migrate, startEmbeddedPostgres } from '../packages/db/dist/index.js';

export async function benchDatabase(name) {
  if (process.env.DATABASE_URL) {
    await migrate(process.env.DATABASE_URL);
    return { url: process.env.DATABASE_URL, close: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'batchyard-bench-'));
  await chmod(dir, 0o755);
  const running = await startEmbeddedPostgres({ dataDir: join(dir, 'data') });
  await running.createDatabase(name);
  const url = running.url(name);
  await migrate(url);
  return {
    url,
    close: async () => {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function withClient(url, fn) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Runs `fn` `iterations` times after `warmup` runs; returns latency percentiles in ms. */
export async function measure(fn, { iterations = 200, warmup = 20 } = {}) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

export function printTable(title, rows) {
  console.log(`\n${title}`);
  console.table(rows);
}

export const fmt = (ms) => Number(ms.toFixed(3));

/** Streams text rows (tab-separated, newline-terminated) into `COPY … FROM STDIN`, 5,000 at a time. */
export async function copy(client, sql, rows) {
  const batch = [];
  const source = Readable.from(
    (function* () {
      for (const r of rows) {
        batch.push(r);
        if (batch.length === 5000) yield batch.splice(0).join('');
      }
      if (batch.length) yield batch.join('');
    })(),
  );
  await pipeline(source, client.query(copyStreams.from(sql)));
}
