// List endpoint latency at 10^5 and 10^6 rows (seeded with COPY) against the bare SQL query the
// endpoint needs, in the same run. Usage: npm run build && node bench/list-endpoints.bench.mjs [rows...]

import Fastify from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../apps/server/dist/app.js';
import { loadConfig } from '../apps/server/dist/config.js';
import { createPrismaClient } from '../packages/db/dist/index.js';
import { benchDatabase, copy, fmt, measure, printTable, withClient } from './harness.mjs';

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const ROWS = sizes.length > 0 ? sizes : [100_000, 1_000_000];
const STATUSES = ['COMPLETE', 'FAILED', 'RUNNING', 'STOPPED'];

function* definitionRows(from, to) {
  for (let i = from; i < to; i++) {
    yield `task-${String(i).padStart(7, '0')}\tetl --chunkSize=${i % 1000} --tenant=t${i % 97}\tnightly job ${i % 13}\tf\t1\tnow\tnow\n`;
  }
}
function* executionRows(from, to) {
  for (let i = from; i < to; i++) {
    yield `${i + 1}\ttask-${String(i % 5000).padStart(7, '0')}\t${STATUSES[i % 4]}\t["--n=${i}"]\t{}\tdefault\tlocal\tnow\n`;
  }
}

async function seed(url, from, to) {
  await withClient(url, async (c) => {
    await copy(
      c,
      'COPY task_definition (name, dsl_text, description, composed, version, created_at, updated_at) FROM STDIN',
      definitionRows(from, to),
    );
    await copy(
      c,
      // Batchyard's rows only (their ids would come from TASK_SEQ with Spring's TASK_EXECUTION rows).
      'COPY batchyard_task_execution (id, task_name, status, arguments, properties, platform_name, platform_type, updated_at) FROM STDIN',
      executionRows(from, to),
    );
    await c.query(`SELECT setval('task_seq', ${to + 1}, false)`);
    await c.query('ANALYZE task_definition; ANALYZE batchyard_task_execution');
  });
}

const db = await benchDatabase('bench_lists');
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

// What each endpoint's one statement adds to the page query (packages/db/src/repositories/list-pages.ts):
// each execution's job execution ids and queue position, each definition's newest execution.
const EXTRAS = `(SELECT coalesce(array_agg(b.job_execution_id ORDER BY b.job_execution_id), '{}')
     FROM task_task_batch b WHERE b.task_execution_id = e.id) AS job_ids,
  CASE WHEN e.status = 'QUEUED' THEN 1 + (SELECT count(*)::int FROM batchyard_task_execution q
     WHERE q.platform_name IS NOT DISTINCT FROM e.platform_name AND q.status = 'QUEUED' AND q.id < e.id) END AS queue_position`;
const EXEC = `to_jsonb(e) - 'sealed_launch' - 'log_tail' AS r, ${EXTRAS}`;
const defsFull = (
  where,
) => `SELECT d.*, l.* FROM (SELECT * FROM task_definition ${where} ORDER BY name LIMIT 51) d
  LEFT JOIN LATERAL (SELECT ${EXEC} FROM batchyard_task_execution e WHERE e.task_name = d.name ORDER BY e.id DESC LIMIT 1) l ON true
  ORDER BY d.name`;
// The transport floor: the same SQL behind a bare Fastify route (no hooks, no schema), rows sent with
// JSON.stringify. API over this is Batchyard's own cost; bare SQL alone has no HTTP in it at all.
const barePool = new pg.Pool({ connectionString: db.url, max: 4 });
const bareApp = Fastify();
const bareQueries = new Map();
bareApp.get('/q/:i', async (req, reply) => {
  const [text, values] = bareQueries.get(req.params.i);
  reply.header('content-type', 'application/json');
  return JSON.stringify((await barePool.query(text, values)).rows);
});
const bareBase = await bareApp.listen({ host: '127.0.0.1', port: 0 });

const results = [];
let seeded = 0;
const client = new (await import('pg')).default.Client({ connectionString: db.url });
await client.connect();
for (const n of ROWS) {
  const t = Date.now();
  await seed(db.url, seeded, n);
  seeded = n;
  console.log(`seeded ${n} definitions and ${n} executions in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const mid = `task-${String(Math.floor(n / 2)).padStart(7, '0')}`;
  const cases = [
    {
      name: 'definitions, first page',
      http: '/tasks/definitions?size=50',
      sql: ['SELECT * FROM task_definition ORDER BY name LIMIT 51', []],
      full: [defsFull(''), []],
    },
    {
      name: 'definitions, page in the middle',
      http: `/tasks/definitions?size=50&cursor=${Buffer.from(JSON.stringify([mid])).toString('base64url')}`,
      sql: ['SELECT * FROM task_definition WHERE name > $1 ORDER BY name LIMIT 51', [mid]],
      full: [defsFull('WHERE name > $1'), [mid]],
    },
    {
      name: 'definitions, DSL contains',
      http: '/tasks/definitions?size=50&dslText=tenant%3Dt42%20',
      sql: ["SELECT * FROM task_definition WHERE dsl_text ILIKE '%tenant=t42 %' ORDER BY name LIMIT 51", []],
    },
    {
      name: 'executions, newest first',
      http: '/tasks/executions?size=50',
      sql: ['SELECT * FROM batchyard_task_execution ORDER BY id DESC LIMIT 51', []],
      full: [`SELECT ${EXEC} FROM batchyard_task_execution e ORDER BY e.id DESC LIMIT 51`, []],
    },
    {
      name: 'executions of one task, FAILED',
      http: '/tasks/executions?size=50&task=task-0000042&status=FAILED',
      sql: [
        "SELECT * FROM batchyard_task_execution WHERE task_name = 'task-0000042' AND status = 'FAILED' ORDER BY id DESC LIMIT 51",
        [],
      ],
      full: [
        `SELECT ${EXEC} FROM batchyard_task_execution e WHERE e.task_name = $1 AND e.status = $2::task_execution_status ORDER BY e.id DESC LIMIT 51`,
        ['task-0000042', 'FAILED'],
      ],
    },
    {
      name: 'thin executions, newest first',
      http: '/tasks/thinexecutions?size=50',
      sql: [
        'SELECT id, task_name, status, exit_code, start_time, end_time FROM batchyard_task_execution ORDER BY id DESC LIMIT 51',
        [],
      ],
    },
    {
      name: 'thin executions of one task, FAILED',
      http: '/tasks/thinexecutions?size=50&task=task-0000042&status=FAILED',
      sql: [
        "SELECT id, task_name, status, exit_code, start_time, end_time FROM batchyard_task_execution WHERE task_name = 'task-0000042' AND status = 'FAILED' ORDER BY id DESC LIMIT 51",
        [],
      ],
    },
  ];
  for (const c of cases) {
    const httpStats = await measure(async () => {
      const res = await fetch(base + c.http);
      if (res.status !== 200) throw new Error(`${c.http}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    });
    const sqlStats = await measure(() => client.query(c.sql[0], c.sql[1]));
    const fullStats = c.full ? await measure(() => client.query(c.full[0], c.full[1])) : undefined;
    const key = String(bareQueries.size);
    bareQueries.set(key, c.full ?? c.sql);
    const bareHttp = await measure(() => fetch(`${bareBase}/q/${key}`).then((r) => r.arrayBuffer()));
    results.push({
      rows: n,
      case: c.name,
      'api p50 ms': fmt(httpStats.p50),
      'api p99 ms': fmt(httpStats.p99),
      'sql p50 ms': fmt(sqlStats.p50),
      'ratio p50': Number((httpStats.p50 / sqlStats.p50).toFixed(2)),
      'endpoint sql p50 ms': fullStats ? fmt(fullStats.p50) : '',
      'ratio to it': fullStats ? Number((httpStats.p50 / fullStats.p50).toFixed(2)) : '',
      'same SQL, bare Fastify p50 ms': fmt(bareHttp.p50),
      'ratio to bare HTTP': Number((httpStats.p50 / bareHttp.p50).toFixed(2)),
    });
  }
}
printTable('List endpoints vs. the bare SQL query (same run)', results);
await client.end();
await bareApp.close();
await barePool.end();
await app.close();
await prisma.$disconnect();
await db.close();
