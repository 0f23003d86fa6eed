#!/usr/bin/env node
// Regenerates docs/screenshots/*.png (`npm run screenshots`, after `npm run build`): a real
// PostgreSQL (embedded, in a temporary directory), the real `batchyard server` binary on the local
// platform, seeded through the public REST API with real runs (the sample settlement job, a
// composed task, failures, a schedule), and Debian's Chromium driven by playwright-core.
// Needs /usr/bin/chromium (bash scripts/provision-chromium.sh) or BATCHYARD_CHROMIUM.
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort, migrate, startEmbeddedPostgres } from '../packages/db/dist/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(root, 'docs/screenshots');
const MAIN = join(root, 'apps/server/dist/main.js');
const SCRIPTED = join(root, 'apps/server/test/fixtures/scripted-task.mjs');
const SAMPLE = join(root, 'apps/sample-task/dist/main.js');
const CHROMIUM = process.env.BATCHYARD_CHROMIUM ?? '/usr/bin/chromium';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function startServer(databaseUrl, workDir) {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, 'server'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      BATCHYARD_PORT: String(port),
      BATCHYARD_LOG_LEVEL: 'warn',
      BATCHYARD_REGISTER_SAMPLES: 'false',
      BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
      BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir, maxConcurrent: 4 }]),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await until('the server to be ready', () =>
    child.exitCode !== null
      ? Promise.reject(new Error(`server exited with ${child.exitCode}`))
      : fetch(`${url}/health/ready`).then(
          (r) => r.ok,
          () => false,
        ),
  );
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { url, stop };
}

function client(url) {
  return async (method, path, body) => {
    const res = await fetch(url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.status === 204 ? undefined : await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** Apps, definitions, finished and running executions, job history, a schedule. */
async function seed(api) {
  await api('POST', '/apps/task/scripted/1.0', { uri: 'local:scripted', command: ['node', SCRIPTED] });
  await api('POST', '/apps/task/settlement/1.0', {
    uri: 'docker:batchyard/worker-sample:1.0',
    command: [process.execPath, SAMPLE],
  });
  await api('POST', '/apps/task/report/2.1', { uri: 'docker:example/report:2.1' });
  const define = (name, definition, description) =>
    api('POST', '/tasks/definitions', { name, definition, ...(description ? { description } : {}) });
  await define(
    'settlement-demo',
    'settlement --chunkSize=100',
    'Reads transactions, skips bad lines, upserts totals',
  );
  await define(
    'nightly-etl',
    "extract: scripted --sleep=400 && <clean: scripted || enrich: scripted --sleep=600> && load: scripted 'FAILED' -> alert: scripted",
    'Composed: extract, then clean and enrich side by side, then load',
  );
  await define('invoice-export', 'scripted --print=exported --sleep=300');
  await define('flaky-import', 'scripted --exit=3');
  const ended = (id) =>
    until(`execution ${id}`, async () => {
      const e = await api('GET', `/tasks/executions/${id}`);
      return ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(e.status) && e;
    });
  const run = async (name, args = []) =>
    (await api('POST', '/tasks/executions', { name, arguments: args })).id;
  for (const seed of [1, 2, 3, 4])
    await ended(await run('settlement-demo', [`rows=${600 + seed * 150}`, `seed=${seed}`]));
  const failedSettlement = await ended(
    await run('settlement-demo', ['rows=500', 'seed=104', '--failAt=300']),
  );
  const composed = await ended(await run('nightly-etl'));
  for (let i = 0; i < 2; i++) await ended(await run('invoice-export'));
  for (let i = 0; i < 2; i++) await ended(await run('flaky-import'));
  await api('POST', '/tasks/schedules', {
    scheduleName: 'settlement-0230',
    taskDefinitionName: 'settlement-demo',
    cron: '30 2 * * 1-5',
    timeZone: 'Europe/Berlin',
  });
  await api('POST', '/tasks/schedules', {
    scheduleName: 'hourly-invoices',
    taskDefinitionName: 'invoice-export',
    cron: '0 * * * *',
  });
  // An edit, for the definition's history.
  await api('PUT', '/tasks/definitions/invoice-export', {
    definition: 'scripted --print=exported-v2 --sleep=300',
  });
  // Fewer rows than the finished runs read, slowly: its progress, estimated from their history, is partial.
  const running = await run('settlement-demo', ['rows=700', 'seed=9', '--delayMs=25']);
  const job = await until('the running settle step', async () => {
    const page = await api('GET', `/jobs/executions?taskExecutionId=${running}`);
    const j = page.items[0];
    return j && j.status === 'STARTED' && j.stepExecutionCount >= 2 && j;
  });
  const steps = await api('GET', `/jobs/executions/${job.id}/steps`);
  const jobs = await api('GET', `/jobs/executions?taskExecutionId=${failedSettlement.id}`);
  return {
    composed: composed.id,
    failedJob: jobs.items[0].id,
    running,
    runningJob: job.id,
    runningStep: steps.find((s) => s.stepName === 'settle').id,
  };
}

async function shoot(url, ids) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  const page = await (
    await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 })
  ).newPage();
  const settled = () =>
    page.waitForFunction(() => !document.querySelector('main [aria-live="polite"].muted'));
  const shots = [
    ['overview', '/', settled],
    ['definitions', '/ui/definitions', settled],
    [
      'definition-graph',
      '/ui/definitions/nightly-etl',
      () => page.locator('figure.graph svg [data-node="load"]').waitFor(),
    ],
    [
      'definition-editor',
      '/ui/definitions/nightly-etl/edit',
      async () => {
        await page.getByLabel('Definition (task DSL)').fill('extract && <clean || enrich>\n&& && load');
        await page.getByRole('list', { name: 'Problems in the definition' }).waitFor();
      },
    ],
    [
      'launch',
      // The effective manifest the launch would run, previewed by the server (the local account here).
      '/ui/launch/settlement-demo?args=rows%3D1000&props=app.settlement.chunk-size%3D100',
      () => page.locator('.preview[data-state="ready"] pre.manifest').waitFor(),
    ],
    ['executions', '/ui/executions', settled],
    [
      'execution-composed',
      `/ui/executions/${ids.composed}`,
      () => page.locator('figure.graph [data-node="load"][data-status]').waitFor(),
    ],
    [
      'execution-logs',
      `/ui/executions/${ids.running}`,
      async () => {
        await page.locator('.log-state[data-state="following"]').waitFor();
        await page.locator('.log').scrollIntoViewIfNeeded();
      },
    ],
    ['jobs-failed', '/ui/jobs?status=FAILED', settled],
    [
      'job-steps',
      `/ui/jobs/${ids.failedJob}`,
      () => page.locator('table.steps tr[data-step="settle"]').waitFor(),
    ],
    [
      'step-progress-history',
      `/ui/jobs/${ids.runningJob}/steps/${ids.runningStep}`,
      () => page.locator('.chart canvas').first().waitFor(),
      { fullPage: true },
    ],
    ['schedules', '/ui/schedules', settled],
    [
      'schedule-editor',
      '/ui/schedules/settlement-0230/edit',
      () => page.locator('#cron-explained').waitFor(),
    ],
    ['apps', '/ui/apps', settled],
    ['about', '/ui/about', settled],
  ];
  await mkdir(OUT, { recursive: true });
  for (const [name, path, ready, options = {}] of shots) {
    await page.goto(path);
    await page.locator('main h1').first().waitFor();
    await ready();
    await sleep(300); // charts and the graph finish their first paint
    await page.screenshot({ path: join(OUT, `${name}.png`), ...options });
    console.log(`docs/screenshots/${name}.png  ${path}`);
  }
  await browser.close();
}

const dir = await mkdtemp(join(tmpdir(), 'batchyard-screenshots-'));
await chmod(dir, 0o755); // as root, PostgreSQL runs as `postgres` and must traverse it
const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'data') });
let server;
try {
  await pg.createDatabase('screens');
  await migrate(pg.url('screens'));
  await mkdir(join(dir, 'work'));
  server = await startServer(pg.url('screens'), join(dir, 'work'));
  const ids = await seed(client(server.url));
  await shoot(server.url, ids);
  await client(server.url)('POST', `/tasks/executions/${ids.running}/stop`).catch(() => undefined);
} finally {
  await server?.stop();
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
