// Step history at 10^5 step executions (seeded with COPY): the progress endpoint and the
// repository's aggregate against the bare SQL aggregate, in the same run; plus the /metrics scrape
// against its bare GROUP BY. Usage: npm run build && node bench/step-history.bench.mjs [steps]

import { pino } from 'pino';
import { buildApp } from '../apps/server/dist/app.js';
import { loadConfig } from '../apps/server/dist/config.js';
import { createPrismaClient, monitoring } from '../packages/db/dist/index.js';
import { benchDatabase, copy, fmt, measure, printTable, withClient } from './harness.mjs';

const STEPS = Number(process.argv[2]) || 100_000;
const JOBS = 20; // job names; each job execution has 10 step executions over 5 step names
const STEP_NAMES = ['read', 'validate', 'load', 'index', 'report'];
const EXECUTIONS = Math.ceil(STEPS / 10);
const t0 = Date.parse('2026-01-01T00:00:00Z');

const iso = (ms) => new Date(ms).toISOString();
// Spring Batch's tables (BATCH_*): ids are given, as Spring's sequences would give them.
function* instanceRows() {
  for (let j = 0; j < JOBS; j++) yield `${j + 1}\t0\tjob-${j}\t${String(j).padStart(32, '0')}\n`;
}
function* executionRows() {
  for (let e = 0; e < EXECUTIONS; e++) {
    const start = t0 + e * 60_000;
    yield `${e + 1}\t2\t${(e % JOBS) + 1}\t${iso(start)}\tCOMPLETED\tCOMPLETED\t${iso(start)}\t${iso(start + 30_000)}\n`;
  }
}
function* stepRows() {
  for (let i = 0; i < STEPS; i++) {
    const e = Math.floor(i / 10);
    const start = t0 + e * 60_000 + (i % 10) * 2000;
    const reads = 500 + ((i * 7919) % 1000);
    const status = i % 50 === 0 ? 'FAILED' : 'COMPLETED';
    // id, version, job_execution_id, step_name, create_time, status, commit, read, filter, write, skips, rollback, times
    yield `${i + 1}\t3\t${e + 1}\t${STEP_NAMES[i % 5]}\t${iso(start)}\t${status}\t${Math.ceil(reads / 100)}\t${reads}\t${i % 3}\t${reads - (i % 3)}\t${i % 2}\t0\t${i % 5 === 0 ? 1 : 0}\t${i % 7 === 0 ? 1 : 0}\t${iso(start)}\t${iso(start + 200 + (i % 1500))}\n`;
  }
}

const db = await benchDatabase('bench_steps');
const t = Date.now();
await withClient(db.url, async (c) => {
  await copy(
    c,
    'COPY batch_job_instance (job_instance_id, version, job_name, job_key) FROM STDIN',
    instanceRows(),
  );
  await copy(
    c,
    `COPY batch_job_execution (job_execution_id, version, job_instance_id, create_time, status, exit_code,
       start_time, end_time) FROM STDIN`,
    executionRows(),
  );
  await copy(
    c,
    `COPY batch_step_execution (step_execution_id, version, job_execution_id, step_name, create_time, status,
       commit_count, read_count, filter_count, write_count, read_skip_count, write_skip_count,
       process_skip_count, rollback_count, start_time, end_time) FROM STDIN`,
    stepRows(),
  );
  await c.query('ANALYZE batch_job_instance; ANALYZE batch_job_execution; ANALYZE batch_step_execution');
});
console.log(`seeded ${STEPS} step executions in ${((Date.now() - t) / 1000).toFixed(1)} s`);

const config = loadConfig({ DATABASE_URL: db.url, BATCHYARD_LOG_LEVEL: 'silent' });
const prisma = createPrismaClient({ url: db.url, poolSize: 4 });
const app = await buildApp({
  config,
  prisma,
  databaseUrl: db.url,
  embeddedDatabase: false,
  logger: pino({ level: 'silent' }),
  controlLoops: false,
});
const base = await app.listen({ host: '127.0.0.1', port: 0 });
const client = new (await import('pg')).default.Client({ connectionString: db.url });
await client.connect();

// A step of job-3 named 'load': the history covers every finished 'load' step of job-3.
const OF_JOB = `job_execution_id IN (SELECT e.job_execution_id FROM batch_job_execution e
    JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id WHERE i.job_name = $1)`;
const { rows } = await client.query(
  `SELECT step_execution_id AS id, job_execution_id FROM batch_step_execution
    WHERE step_name = 'load' AND ${OF_JOB} ORDER BY 1 DESC LIMIT 1`,
  ['job-3'],
);
const step = rows[0];
const history = await client.query(
  `SELECT count(*)::int AS n FROM batch_step_execution WHERE step_name = 'load' AND ${OF_JOB}`,
  ['job-3'],
);
// The repository's statement, written out here: the ratio is then the cost of Prisma and the
// mapping, not of a different query.
const COLUMNS = [
  'commit_count',
  'rollback_count',
  'read_count',
  'write_count',
  'filter_count',
  'read_skip_count',
  'write_skip_count',
  'process_skip_count',
  'duration',
  'duration_per_read',
];
const BARE = `WITH s AS (
    SELECT commit_count, rollback_count, read_count, write_count, filter_count,
           read_skip_count, write_skip_count, process_skip_count,
           extract(epoch FROM end_time - start_time) * 1000 AS duration,
           CASE WHEN read_count > 0 THEN extract(epoch FROM end_time - start_time) * 1000 / read_count END AS duration_per_read
      FROM batch_step_execution
     WHERE step_name = $2 AND status IN ('COMPLETED', 'FAILED', 'STOPPED', 'ABANDONED')
       AND start_time IS NOT NULL AND end_time IS NOT NULL AND ${OF_JOB})
  SELECT count(*)::int, ${COLUMNS.map((c) => `count(${c}), min(${c}), max(${c}), avg(${c}), stddev_pop(${c})`).join(', ')} FROM s`;
const STEP_GROUP = `SELECT i.job_name, s.step_name, sum(s.read_count), sum(s.write_count), count(*)
  FROM batch_step_execution s JOIN batch_job_execution e ON e.job_execution_id = s.job_execution_id
  JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 500`;

const sql = await measure(() => client.query(BARE, ['job-3', 'load']));
const repo = await measure(() => monitoring.stepHistory(prisma, 'job-3', 'load'));
const api = await measure(async () => {
  const res = await fetch(`${base}/jobs/executions/${step.job_execution_id}/steps/${step.id}/progress`);
  if (res.status !== 200) throw new Error(`progress: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
});
const groupSql = await measure(() => client.query(STEP_GROUP), { iterations: 30, warmup: 3 });
// The scrape caches its aggregates for a second: wait that out so every sample queries.
// The first scrape sums every settled step execution; later ones read only the rows past the mark.
const scrapes = [];
let firstScrape = 0;
for (let i = 0; i < 12; i++) {
  await new Promise((r) => setTimeout(r, 1100));
  const t1 = process.hrtime.bigint();
  await (await fetch(`${base}/metrics`)).text();
  const ms = Number(process.hrtime.bigint() - t1) / 1e6;
  if (i === 0) firstScrape = ms;
  if (i > 1) scrapes.push(ms);
}
scrapes.sort((a, b) => a - b);
const scrape = { p50: scrapes[Math.floor(scrapes.length / 2)], p99: scrapes.at(-1) };
const plan = await client.query(`EXPLAIN ${BARE.replace('$1', "'job-3'").replace('$2', "'load'")}`);
console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));

const row = (name, stats, baseline) => ({
  case: name,
  'p50 ms': fmt(stats.p50),
  'p99 ms': fmt(stats.p99),
  'baseline p50 ms': fmt(baseline.p50),
  'ratio p50': Number((stats.p50 / baseline.p50).toFixed(2)),
});
printTable(`Step history over ${history.rows[0].n} executions of one step, ${STEPS} step executions in all`, [
  row('bare SQL aggregate, pg client (baseline)', sql, sql),
  row('repository stepHistory (Prisma $queryRaw)', repo, sql),
  row('GET …/steps/{id}/progress', api, sql),
  row('GET /metrics, first scrape (vs bare step GROUP BY)', { p50: firstScrape, p99: firstScrape }, groupSql),
  row('GET /metrics, later scrapes (vs bare step GROUP BY)', scrape, groupSql),
]);
await client.end();
await app.close();
await prisma.$disconnect();
await db.close();
