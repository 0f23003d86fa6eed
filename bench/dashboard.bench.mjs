// Dashboard: JavaScript shipped (gzipped) and list-page latency in Chromium against the API call the
// page makes, on a database seeded with COPY (default 10^5 executions; pass 1000000 for 10^6).
// Usage: npm run build && node bench/dashboard.bench.mjs [executions]
// Needs /usr/bin/chromium (bash scripts/provision-chromium.sh) or BATCHYARD_CHROMIUM.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { buildApp } from '../apps/server/dist/app.js';
import { loadConfig } from '../apps/server/dist/config.js';
import { createPrismaClient } from '../packages/db/dist/index.js';
import { benchDatabase, copy, fmt, printTable, withClient } from './harness.mjs';

const EXECUTIONS = Number(process.argv[2] ?? 100_000);
const DEFINITIONS = 5000;
const RUNS = 15;
const BUDGET_KB = 250;
const STATUSES = ['COMPLETE', 'FAILED', 'RUNNING', 'STOPPED'];
const assets = fileURLToPath(new URL('../apps/dashboard/dist/assets', import.meta.url));

// 1. What a first visit downloads: the bundle and styles (the layout worker only on graph pages).
const kb = (file) => gzipSync(readFileSync(join(assets, file))).length / 1024;
const files = readdirSync(assets);
const js = files.find((f) => /^app-.*\.js$/.test(f));
const css = files.find((f) => /^styles-.*\.css$/.test(f));
const bundle = {
  'app.js': kb(js),
  'styles.css': kb(css),
  'elk-worker.js (graph pages)': kb('elk-worker.min.js'),
};
printTable(
  'dashboard assets, gzipped KB',
  Object.entries(bundle).map(([file, size]) => ({ file, kb: fmt(size) })),
);

// 2. A real server over the seeded database, and Chromium on it.
const name = (i) => `task-${String(i % DEFINITIONS).padStart(5, '0')}`;
const db = await benchDatabase('bench_dashboard');
await withClient(db.url, async (c) => {
  await copy(
    c,
    'COPY task_definition (name, dsl_text, description, composed, version, created_at, updated_at) FROM STDIN',
    (function* () {
      for (let i = 0; i < DEFINITIONS; i++) yield `${name(i)}\tetl --n=${i}\t\\N\tf\t1\tnow\tnow\n`;
    })(),
  );
  await copy(
    c,
    'COPY batchyard_task_execution (id, task_name, status, arguments, properties, platform_name, platform_type, updated_at) FROM STDIN',
    (function* () {
      for (let i = 0; i < EXECUTIONS; i++)
        yield `${i + 1}\t${name(i)}\t${STATUSES[i % 4]}\t["--n=${i}"]\t{}\tdefault\tlocal\tnow\n`;
    })(),
  );
  await c.query(`SELECT setval('task_seq', ${EXECUTIONS + 1}, false)`);
  await c.query('ANALYZE task_definition; ANALYZE batchyard_task_execution');
});
const config = loadConfig({
  DATABASE_URL: db.url,
  BATCHYARD_PORT: '0',
  BATCHYARD_REGISTER_SAMPLES: 'false',
  BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
});
const prisma = createPrismaClient({ url: db.url, poolSize: 10 });
const app = await buildApp({
  config,
  prisma,
  databaseUrl: db.url,
  embeddedDatabase: false,
  logger: pino({ level: 'silent' }),
  controlLoops: false,
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.BATCHYARD_CHROMIUM ?? '/usr/bin/chromium',
  args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
});
const page = await (await browser.newContext({ baseURL: url })).newPage();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Median of RUNS after two warm-ups; `fn` returns its own measurement, or undefined for wall time. */
async function timed(fn) {
  const samples = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t = performance.now();
    const own = await fn();
    if (i >= 2) samples.push(own ?? performance.now() - t); // two warm-up runs
  }
  return median(samples);
}

/**
 * The page's own clock when `selector` first shows (visible: not inside the hidden page of a
 * dashboard still waiting for /about), watched by a mutation observer rather than by polling, so
 * the figure is the page's and not the driver's polling interval.
 */
const shownAt = (selector, text = '') =>
  page.evaluate(
    ([sel, txt]) =>
      new Promise((resolve) => {
        const check = () => {
          const el = [...document.querySelectorAll(sel)].find((e) => e.textContent.includes(txt));
          if (!el?.checkVisibility()) return false;
          resolve(performance.now());
          return true;
        };
        if (check()) return;
        const watch = new MutationObserver(() => check() && watch.disconnect());
        watch.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
      }),
    [selector, text],
  );

// Each page: a cold navigation (new document, cached assets) until its rows are on screen (navigation
// start to rows, on the page's clock), against the one API call whose answer the page renders; and an
// in-app navigation to it (a link clicked on the About page: the loaded app, no new document).
const pages = [
  ['/ui/executions', '/tasks/executions?size=20', 'tbody tr'],
  ['/ui/executions?status=FAILED', '/tasks/executions?status=FAILED&size=20', 'tbody tr'],
  [`/ui/executions?task=${name(42)}`, `/tasks/executions?task=${name(42)}&size=20`, 'tbody tr'],
  ['/ui/definitions', '/tasks/definitions?size=20', 'tbody tr'],
  // No job executions are seeded: the page's answer is its empty state.
  ['/ui/jobs?status=FAILED', '/jobs/executions?status=FAILED&size=20', 'main p.muted', 'No job executions'],
];
const rows = [];
for (const [path, apiPath, ready, text] of pages) {
  const apiMs = await timed(async () => {
    await (await fetch(url + apiPath)).json(); // wall time
  });
  // The same call made by the browser (from the About page, as the dashboard makes it): the client
  // shares the 2 cores with the server, so this is the baseline the page itself can meet.
  await page.goto('/ui/about');
  const browserApiMs = await timed(() =>
    page.evaluate(async (p) => {
      const t = performance.now();
      await (await fetch(p, { headers: { accept: 'application/json' } })).json();
      return performance.now() - t;
    }, apiPath),
  );
  const pageMs = await timed(async () => {
    await page.goto(path, { waitUntil: 'commit' });
    return shownAt(ready, text);
  });
  const inAppMs = await timed(async () => {
    await page.goto('/ui/about');
    await page.locator('main h1').first().waitFor();
    const start = await page.evaluate((to) => {
      const a = Object.assign(document.createElement('a'), { href: to, textContent: 'bench' });
      document.body.append(a);
      const t = performance.now();
      a.click();
      return t;
    }, path);
    return (await shownAt(ready, text)) - start;
  });
  rows.push({
    page: path,
    apiMs: fmt(apiMs),
    browserApiMs: fmt(browserApiMs),
    pageMs: fmt(pageMs),
    ratio: fmt(pageMs / apiMs),
    inAppMs: fmt(inAppMs),
    inAppRatio: fmt(inAppMs / apiMs),
    inAppVsBrowserApi: fmt(inAppMs / browserApiMs),
  });
}
// First useful paint of the overview: navigation start until its platform table shows.
const overviewMs = await timed(async () => {
  await page.goto('/', { waitUntil: 'commit' });
  return shownAt('main table tbody tr');
});
printTable(`dashboard pages over ${EXECUTIONS.toLocaleString('en')} executions, median of ${RUNS}`, rows);
console.log(`overview, first useful paint: ${fmt(overviewMs)} ms`);

await browser.close();
await app.close();
await prisma.$disconnect();
await db.close();
if (bundle['app.js'] + bundle['styles.css'] > BUDGET_KB) {
  console.error(`the dashboard ships more than ${BUDGET_KB} KB gzipped`);
  process.exit(1);
}
