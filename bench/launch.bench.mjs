// Launch latency (REST call until the Job exists) against a bare createNamespacedJob of the same
// Job in the same run, and reconcile latency (pod seen terminal by a watch until the execution row
// is terminal), at 1 and at 50 concurrent launches, on the test control plane (real kube-apiserver,
// controllers and scheduler; the node agent runs pods as local processes).
// Needs test/cluster/provision.sh once (root). Usage: npm run build && node bench/launch.bench.mjs
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BatchV1Api, CoreV1Api, Watch } from '@kubernetes/client-node';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../apps/server/dist/app.js';
import { loadConfig } from '../apps/server/dist/config.js';
import { createPrismaClient } from '../packages/db/dist/index.js';
import { buildJob, PooledKubeConfig, parseDeployerProperties } from '../packages/k8s/dist/index.js';
import { benchDatabase, fmt, printTable } from './harness.mjs';

const SCRIPT = fileURLToPath(new URL('../apps/server/test/fixtures/scripted-task.mjs', import.meta.url));
const ROUNDS = { 1: 30, 50: 2 };

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

// The cluster (and the node agent running the pods) lives in its own process, as a real cluster
// would: sharing the bench's event loop with it would inflate every latency measured here.
const clusterProcess = spawn(
  process.execPath,
  [
    fileURLToPath(new URL('../test/cluster/dist/cli.js', import.meta.url)),
    'up',
    '--pods',
    '250',
    '--cpu',
    '64',
  ],
  {
    env: {
      ...process.env,
      BATCHYARD_IMAGE_MAP: JSON.stringify({ 'batchyard/scripted-task:*': { entrypoint: ['node', SCRIPT] } }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const kubeconfigPath = await new Promise((resolve, reject) => {
  createInterface({ input: clusterProcess.stdout }).once('line', resolve);
  clusterProcess.once('exit', (code) => reject(new Error(`test cluster exited with ${code}`)));
});
const cluster = {
  kubeconfigPath,
  stop: () =>
    new Promise((resolve) => {
      clusterProcess.once('exit', resolve);
      clusterProcess.kill('SIGINT');
    }),
};
// The baseline reuses connections as the server's platform does (PooledKubeConfig), so the ratio is
// Batchyard's own work, not a TLS handshake one side pays and the other does not.
const kc = new PooledKubeConfig();
kc.loadFromFile(kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);
const batch = kc.makeApiClient(BatchV1Api);
const namespace = 'bench';
await core.createNamespace({ body: { metadata: { name: namespace } } });
const db = await benchDatabase('bench_launch');
await core.createNamespacedSecret({
  namespace,
  body: { metadata: { name: 'batchyard-database' }, stringData: { url: db.url } },
});

const config = loadConfig({
  DATABASE_URL: db.url,
  BATCHYARD_LOG_LEVEL: 'silent',
  BATCHYARD_PLATFORMS: JSON.stringify([
    { name: 'k8s', type: 'kubernetes', kubeconfig: cluster.kubeconfigPath, namespace, maxConcurrent: 1000 },
  ]),
});
const prisma = createPrismaClient({ url: db.url, poolSize: 10 });
const app = await buildApp({
  config,
  prisma,
  databaseUrl: db.url,
  embeddedDatabase: false,
  logger: pino({ level: 'silent' }),
});
const base = await app.listen({ host: '127.0.0.1', port: 0 });
const post = (path, body) =>
  fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => {
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json();
  });
await post('/apps/task/scripted/1.0', { uri: 'docker:batchyard/scripted-task:1.0' });
await post('/tasks/definitions', { name: 'bench', definition: 'scripted' });

// The bench's own watch: when did a pod of ours become terminal (as any client could first see it)?
const podDone = new Map();
const watch = await new Watch(kc).watch(
  `/api/v1/namespaces/${namespace}/pods`,
  {},
  (_type, pod) => {
    const job = pod.metadata?.labels?.['job-name'];
    if (job && ['Succeeded', 'Failed'].includes(pod.status?.phase) && !podDone.has(job))
      podDone.set(job, Date.now());
  },
  () => {}, // the watch ends when the bench aborts it
);

let bare = 0;
async function bareLaunch() {
  bare++;
  const job = buildJob({
    executionId: 900000 + bare,
    taskName: 'bare',
    appName: 'scripted',
    accountName: 'k8s',
    namespace,
    image: 'batchyard/scripted-task:1.0',
    args: [],
    databaseSecret: { name: 'batchyard-database', key: 'url' },
    properties: parseDeployerProperties([{}]),
  });
  const t = performance.now();
  await batch.createNamespacedJob({ namespace, body: job });
  return { ms: performance.now() - t, job: job.metadata.name };
}

/** Until the pods of these Jobs have ended, so the next batch is measured on a quiet cluster too. */
async function podsEnded(jobs) {
  while (!jobs.every((j) => podDone.has(j))) await new Promise((res) => setTimeout(res, 50));
}

async function apiLaunch() {
  const t = performance.now();
  const e = await post('/tasks/executions', { name: 'bench' });
  return { ms: performance.now() - t, id: e.id };
}

// One small pool for the bench's polling (a connection per poll would spend the CPU on SCRAM).
const poll = new pg.Pool({ connectionString: db.url, max: 4 });

async function terminalAt(id) {
  for (;;) {
    const rows = await poll.query(
      `SELECT status, external_execution_id AS job, updated_at FROM batchyard_task_execution WHERE id = $1`,
      [id],
    );
    const r = rows.rows[0];
    if (['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(r.status))
      return { job: r.job, at: r.updated_at.getTime() };
    await new Promise((res) => setTimeout(res, 50));
  }
}

const results = [];
for (const [concurrency, rounds] of Object.entries(ROUNDS).map(([c, r]) => [Number(c), r])) {
  const bareMs = [];
  const apiMs = [];
  const reconcileMs = [];
  for (let round = 0; round < rounds; round++) {
    const bareRuns = await Promise.all(Array.from({ length: concurrency }, bareLaunch));
    bareMs.push(...bareRuns.map((b) => b.ms));
    await podsEnded(bareRuns.map((b) => b.job));
    const launched = await Promise.all(Array.from({ length: concurrency }, apiLaunch));
    apiMs.push(...launched.map((l) => l.ms));
    const ends = await Promise.all(launched.map((l) => terminalAt(l.id)));
    for (const end of ends) {
      const seen = podDone.get(end.job);
      if (seen !== undefined) reconcileMs.push(Math.max(0, end.at - seen));
    }
  }
  results.push({
    concurrency,
    launches: apiMs.length,
    'api launch p50 ms': fmt(pct(apiMs, 0.5)),
    'api launch p99 ms': fmt(pct(apiMs, 0.99)),
    'bare create p50 ms': fmt(pct(bareMs, 0.5)),
    'bare create p99 ms': fmt(pct(bareMs, 0.99)),
    'ratio p50': Number((pct(apiMs, 0.5) / pct(bareMs, 0.5)).toFixed(2)),
    'reconcile p50 ms': fmt(pct(reconcileMs, 0.5)),
    'reconcile p99 ms': fmt(pct(reconcileMs, 0.99)),
  });
}
printTable(
  'Launch through the API vs. a bare createNamespacedJob; reconcile lag after the pod ends',
  results,
);
watch.abort();
await poll.end();
kc.closeConnections();
await app.close();
await prisma.$disconnect();
await cluster.stop();
await db.close();
process.exit(0);
