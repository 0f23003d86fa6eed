// Local-platform launches (issue 15): 200 concurrent REST launches of a command that exits at once,
// until every one is answered (201), against a bare baseline in the same run — the same number of
// concurrent "INSERT one row, then spawn the process" with a pg pool of the server's size — for an
// account without a practical limit and one with a limit of 20 (180 of the launches queue).
// Usage: npm run build && node bench/local-launch.bench.mjs [launches] [rounds]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../apps/server/dist/app.js';
import { loadConfig } from '../apps/server/dist/config.js';
import { createPrismaClient } from '../packages/db/dist/index.js';
import { benchDatabase, fmt, printTable } from './harness.mjs';

const LAUNCHES = Number(process.argv[2] ?? 200);
const ROUNDS = Number(process.argv[3] ?? 3);
const POOL = 10;

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const work = await mkdtemp(join(tmpdir(), 'batchyard-bench-local-'));
const db = await benchDatabase('bench_local_launch');
const config = loadConfig({
  DATABASE_URL: db.url,
  BATCHYARD_LOG_LEVEL: 'silent',
  BATCHYARD_PLATFORMS: JSON.stringify([
    { name: 'unlimited', type: 'local', workDir: join(work, 'u'), maxConcurrent: 10_000 },
    { name: 'queued', type: 'local', workDir: join(work, 'q'), maxConcurrent: 20 },
  ]),
});
const prisma = createPrismaClient({ url: db.url, poolSize: POOL });
const app = await buildApp({
  config,
  prisma,
  databaseUrl: db.url,
  embeddedDatabase: false,
  logger: pino({ level: 'silent' }),
});
const base = await app.listen({ host: '127.0.0.1', port: 0 });
const post = async (path, body) => {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
};
await post('/apps/task/instant/1.0', { uri: 'local:instant', command: ['true'], springContract: false });
await post('/tasks/definitions', { name: 'instant', definition: 'instant' });

const poll = new pg.Pool({ connectionString: db.url, max: 2 });
const bare = new pg.Pool({ connectionString: db.url, max: POOL });
await bare.query(
  'CREATE TABLE IF NOT EXISTS bench_bare_launch (id serial PRIMARY KEY, name text, status text, created_at timestamptz DEFAULT now())',
);

/** Until nothing of ours is queued or running, so every round starts on a quiet server. */
async function drained() {
  for (;;) {
    const { rows } = await poll.query(
      "SELECT count(*)::int AS n FROM batchyard_task_execution WHERE status NOT IN ('COMPLETE', 'FAILED', 'STOPPED', 'LOST')",
    );
    if (rows[0].n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function bareLaunch() {
  const t = performance.now();
  await bare.query(
    "INSERT INTO bench_bare_launch (name, status) VALUES ('instant', 'LAUNCHING') RETURNING id",
  );
  await new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'true'], { stdio: 'ignore', detached: true });
    child.once('spawn', resolve);
    child.once('error', reject);
    child.unref();
  });
  return performance.now() - t;
}

async function apiLaunch(platform) {
  const t = performance.now();
  const e = await post('/tasks/executions', { name: 'instant', platform });
  return { ms: performance.now() - t, status: e.status };
}

async function burst(fn) {
  const t = performance.now();
  const each = await Promise.all(Array.from({ length: LAUNCHES }, fn));
  return { wall: performance.now() - t, each };
}

const rows = [];
const record = (round, name, b, baseline, statuses) => {
  const ms = b.each.map((x) => (typeof x === 'number' ? x : x.ms));
  rows.push({
    round,
    case: name,
    answered: ms.length,
    'all answered ms': fmt(b.wall),
    'p50 ms': fmt(pct(ms, 0.5)),
    'p99 ms': fmt(pct(ms, 0.99)),
    'launches/s': Math.round((ms.length / b.wall) * 1000),
    'vs bare': baseline ? Number((b.wall / baseline.wall).toFixed(2)) : 1,
    ...(statuses ? { queued: statuses.filter((s) => s === 'QUEUED').length } : {}),
  });
};

// One warm-up burst each (JIT, prepared statements, connections), not recorded.
await burst(bareLaunch);
await burst(() => apiLaunch('unlimited'));
await drained();
for (let round = 1; round <= ROUNDS; round++) {
  const b1 = await burst(bareLaunch);
  record(round, 'bare INSERT + spawn', b1);
  await new Promise((r) => setTimeout(r, 200));
  const u = await burst(() => apiLaunch('unlimited'));
  record(
    round,
    'API, no limit',
    u,
    b1,
    u.each.map((x) => x.status),
  );
  await drained();
  const b2 = await burst(bareLaunch);
  record(round, 'bare INSERT + spawn', b2);
  await new Promise((r) => setTimeout(r, 200));
  const q = await burst(() => apiLaunch('queued'));
  record(
    round,
    'API, limit 20 (rest queue)',
    q,
    b2,
    q.each.map((x) => x.status),
  );
  await drained();
}
printTable(`${LAUNCHES} concurrent launches of \`true\` on the local platform, answered`, rows);
await poll.end();
await bare.end();
await app.close();
await prisma.$disconnect();
await db.close();
await rm(work, { recursive: true, force: true });
process.exit(0);
