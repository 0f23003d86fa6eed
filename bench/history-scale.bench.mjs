// Scale of history (issue 16): every list endpoint's page and a /metrics scrape at a large history,
// against the bare SQL each needs, in the same run. Rows are seeded with COPY into Batchyard's and
// Spring's tables (triggers off while seeding, totals then built once, as the migration does).
// Usage: npm run build && node bench/history-scale.bench.mjs [executions] [stepsPerJob]
//   default 100000 executions × 10 steps (10^5 / 10^6); the target is 10^7 / 10^8.

import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../apps/server/dist/app.js';
import { loadConfig } from '../apps/server/dist/config.js';
import { createPrismaClient } from '../packages/db/dist/index.js';
import { benchDatabase, copy, fmt, measure, printTable, withClient } from './harness.mjs';

const EXECUTIONS = Number(process.argv[2] ?? 100_000);
const STEPS = Number(process.argv[3] ?? 10);
const TASKS = 500;
const STATUSES = ['COMPLETE', 'FAILED', 'COMPLETE', 'STOPPED'];
const BATCH = { COMPLETE: 'COMPLETED', FAILED: 'FAILED', STOPPED: 'STOPPED' };
const ts = (i) => new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
const task = (i) => `task-${String(i % TASKS).padStart(4, '0')}`;

function* range(n, line) {
  for (let i = 1; i <= n; i++) yield line(i);
}

async function seed(url) {
  await withClient(url, async (c) => {
    // Seeding only: no triggers or foreign-key checks per row (the totals are built below).
    await c.query(`SET session_replication_role = replica`);
    const status = (i) => STATUSES[i % 4];
    await copy(
      c,
      'COPY task_definition (name, dsl_text, composed, version, created_at, updated_at) FROM STDIN',
      range(TASKS, (i) => `${task(i)}\tsettlement --n=${i}\tf\t1\tnow\tnow\n`),
    );
    await copy(
      c,
      'COPY batchyard_task_execution (id, task_name, status, arguments, properties, platform_name, platform_type, start_time, end_time, created_at, updated_at) FROM STDIN',
      range(
        EXECUTIONS,
        (i) =>
          `${i}\t${task(i)}\t${status(i)}\t["--n=${i}"]\t{}\tdefault\tlocal\t${ts(i)}\t${ts(i + 60)}\t${ts(i)}\tnow\n`,
      ),
    );
    await copy(
      c,
      'COPY task_execution (task_execution_id, task_name, start_time, end_time, exit_code, last_updated) FROM STDIN',
      range(EXECUTIONS, (i) => `${i}\t${task(i)}\t${ts(i)}\t${ts(i + 60)}\t0\tnow\n`),
    );
    await copy(
      c,
      'COPY task_task_batch FROM STDIN',
      range(EXECUTIONS, (i) => `${i}\t${i}\n`),
    );
    await copy(
      c,
      'COPY batch_job_instance (job_instance_id, version, job_name, job_key) FROM STDIN',
      range(EXECUTIONS, (i) => `${i}\t0\t${task(i)}-job\t${String(i).padStart(32, '0')}\n`),
    );
    await copy(
      c,
      'COPY batch_job_execution (job_execution_id, version, job_instance_id, create_time, start_time, end_time, status, exit_code, exit_message, last_updated) FROM STDIN',
      range(
        EXECUTIONS,
        (i) =>
          `${i}\t2\t${i}\t${ts(i)}\t${ts(i)}\t${ts(i + 60)}\t${BATCH[status(i)]}\t${BATCH[status(i)]}\t\tnow\n`,
      ),
    );
    await copy(
      c,
      'COPY batch_step_execution (step_execution_id, version, step_name, job_execution_id, create_time, start_time, end_time, status, commit_count, read_count, filter_count, write_count, read_skip_count, write_skip_count, process_skip_count, rollback_count, exit_code, last_updated) FROM STDIN',
      range(EXECUTIONS * STEPS, (s) => {
        const j = Math.ceil(s / STEPS);
        return `${s}\t3\tstep${s % STEPS}\t${j}\t${ts(j)}\t${ts(j)}\t${ts(j + 6)}\t${BATCH[status(j)]}\t10\t100\t0\t100\t0\t0\t0\t0\tCOMPLETED\tnow\n`;
      }),
    );
    await c.query(`SET session_replication_role = origin`);
    await c.query(`SELECT setval('task_seq', ${EXECUTIONS + 1}, false),
                          setval('batch_job_execution_seq', ${EXECUTIONS + 1}, false),
                          setval('batch_step_execution_seq', ${EXECUTIONS * STEPS + 1}, false)`);
    // The totals, exactly as prisma/migrations/20261204021000_metric_totals backfills them.
    await c.query(`INSERT INTO batchyard_task_status_total SELECT coalesce(platform_name, ''), status, count(*)
                     FROM batchyard_task_execution GROUP BY 1, 2`);
    await c.query(`INSERT INTO batchyard_job_status_total SELECT i.job_name, coalesce(e.status, 'UNKNOWN'), count(*),
                     count(e.end_time - e.start_time), coalesce(sum(extract(epoch FROM e.end_time - e.start_time)), 0)
                     FROM batch_job_execution e JOIN batch_job_instance i USING (job_instance_id) GROUP BY 1, 2`);
    await c.query(`INSERT INTO batchyard_step_total SELECT i.job_name, s.step_name, sum(s.read_count), sum(s.write_count),
                     0, sum(s.filter_count), count(s.end_time - s.start_time),
                     coalesce(sum(extract(epoch FROM s.end_time - s.start_time)), 0)
                     FROM batch_step_execution s JOIN batch_job_execution e USING (job_execution_id)
                     JOIN batch_job_instance i USING (job_instance_id) GROUP BY 1, 2`);
    await c.query('ANALYZE');
  });
}

const db = await benchDatabase('bench_history');
const t0 = Date.now();
await seed(db.url);
console.log(
  `seeded ${EXECUTIONS} executions, ${EXECUTIONS * STEPS} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);

const config = loadConfig({
  DATABASE_URL: db.url,
  BATCHYARD_LOG_LEVEL: 'silent',
  BATCHYARD_REGISTER_SAMPLES: 'false',
});
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
const client = new pg.Client({ connectionString: db.url });
await client.connect();

const mid = Math.floor(EXECUTIONS / 2);
const cursor = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const cases = [
  [
    'task executions, newest first',
    '/tasks/executions?size=50',
    'SELECT * FROM batchyard_task_execution ORDER BY id DESC LIMIT 51',
  ],
  [
    'task executions, page in the middle',
    `/tasks/executions?size=50&cursor=${cursor([mid])}`,
    `SELECT * FROM batchyard_task_execution WHERE id < ${mid} ORDER BY id DESC LIMIT 51`,
  ],
  [
    'task executions of one task, FAILED',
    '/tasks/executions?size=50&task=task-0042&status=FAILED',
    "SELECT * FROM batchyard_task_execution WHERE task_name = 'task-0042' AND status = 'FAILED' ORDER BY id DESC LIMIT 51",
  ],
  [
    'thin task executions',
    '/tasks/thinexecutions?size=50',
    'SELECT id, task_name, status, start_time, end_time, exit_code FROM batchyard_task_execution ORDER BY id DESC LIMIT 51',
  ],
  [
    'definitions (with latest status)',
    '/tasks/definitions?size=50',
    'SELECT * FROM task_definition ORDER BY name LIMIT 51',
  ],
  [
    'job executions, newest first',
    '/jobs/executions?size=50',
    'SELECT * FROM batch_job_execution ORDER BY job_execution_id DESC LIMIT 51',
  ],
  [
    'thin job executions',
    '/jobs/thinexecutions?size=50',
    'SELECT * FROM batch_job_execution ORDER BY job_execution_id DESC LIMIT 51',
  ],
  [
    'job instances',
    '/jobs/instances?size=50',
    'SELECT * FROM batch_job_instance ORDER BY job_instance_id DESC LIMIT 51',
  ],
  [
    'steps of one job execution',
    `/jobs/executions/${mid}/steps`,
    `SELECT * FROM batch_step_execution WHERE job_execution_id = ${mid} ORDER BY step_execution_id`,
  ],
  [
    'GET /metrics (vs the totals query)',
    '/metrics',
    'SELECT * FROM batchyard_job_status_total; SELECT * FROM batchyard_step_total',
  ],
];
const results = [];
for (const [name, http, sql] of cases) {
  const api = await measure(
    async () => {
      const res = await fetch(base + http);
      if (res.status !== 200) throw new Error(`${http}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    },
    { iterations: 60, warmup: 5 },
  );
  const bare = await measure(() => client.query(sql), { iterations: 60, warmup: 5 });
  results.push({
    case: name,
    'api p50 ms': fmt(api.p50),
    'sql p50 ms': fmt(bare.p50),
    ratio: Number((api.p50 / bare.p50).toFixed(2)),
  });
}
// What a scrape cost before the totals: the full aggregate over every step execution.
const full = await measure(
  () =>
    client.query(`SELECT i.job_name, s.step_name, sum(s.read_count) FROM batch_step_execution s
                    JOIN batch_job_execution e USING (job_execution_id) JOIN batch_job_instance i USING (job_instance_id)
                   GROUP BY 1, 2`),
  { iterations: 3, warmup: 1 },
);
results.push({
  case: 'full step GROUP BY (the old scrape)',
  'api p50 ms': null,
  'sql p50 ms': fmt(full.p50),
  ratio: null,
});
const plan = await client.query(
  `EXPLAIN SELECT id FROM batchyard_task_execution WHERE task_name = 'task-0042' AND end_time < now()
      AND (end_time, id) > ('2024-01-01', 0) AND parent_execution_id IS NULL
      AND status IN ('COMPLETE', 'FAILED', 'STOPPED', 'LOST') ORDER BY end_time, id LIMIT 500`,
);
printTable(`History at ${EXECUTIONS} executions / ${EXECUTIONS * STEPS} steps (p50, same run)`, results);
console.log(`retention selection plan:\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
await client.end();
await app.close();
await prisma.$disconnect();
await db.close();
