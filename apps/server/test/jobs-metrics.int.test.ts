import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';
import { runSample, startSampleServer, TASK, until } from './sample-runs.js';

interface Sample {
  value?: string;
  count?: string;
  sum?: string;
  buckets?: Record<string, string>;
  labels?: Record<string, string>;
}
interface Family {
  name: string;
  type: string;
  metrics: Sample[];
}
const parse = parsePrometheusTextFormat as unknown as (text: string) => Family[];

const DASHBOARD = resolve(import.meta.dirname, '../../../deploy/grafana/batchyard-dashboard.json');

let server: TestServer;
let pool: pg.Pool;

type Scrape = Map<string, Family> & { text: string };

async function scrape(s: TestServer = server): Promise<Scrape> {
  const res = await fetch(`${s.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  return Object.assign(new Map(parse(text).map((f) => [f.name, f])), { text });
}

/**
 * Observations in one labelled histogram series. The parser folds every label set of a histogram
 * into one sample (it only handles unlabelled ones), so the `_count` line is read here; the
 * parser still checks the family's type.
 */
function histogramCount(m: Scrape, name: string, labels: Record<string, string>): number | undefined {
  expect(m.get(name)?.type).toBe('HISTOGRAM');
  for (const line of m.text.split('\n')) {
    const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (match?.[1] !== `${name}_count`) continue;
    const found = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

function value(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const family = families.get(name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample ? Number(sample.value ?? sample.count) : undefined;
}

// Known runs of the real sample job: two complete, one fails at item 120.
beforeAll(async () => {
  server = await startSampleServer();
  pool = new pg.Pool({ connectionString: server.db.url });
  await runSample(server, ['rows=200', 'seed=201']);
  await runSample(server, ['rows=300', 'seed=202']);
  await runSample(server, ['rows=300', 'seed=203', '--failAt=120']);
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await server?.close();
});

describe('GET /metrics after known sample runs', () => {
  it('exposes task, launch and HTTP series', async () => {
    // Durations come from terminal events, which run just after the status is committed.
    const m = await until(
      () => scrape(),
      (f) =>
        histogramCount(f, 'batchyard_task_execution_duration_seconds', { task: TASK, status: 'COMPLETE' }) ===
          2 &&
        histogramCount(f, 'batchyard_task_execution_duration_seconds', { task: TASK, status: 'FAILED' }) ===
          1,
      'duration histogram',
    );
    expect(value(m, 'batchyard_task_executions', { status: 'COMPLETE' })).toBe(2);
    expect(value(m, 'batchyard_task_executions', { status: 'FAILED' })).toBe(1);
    expect(value(m, 'batchyard_task_executions', { status: 'RUNNING' })).toBe(0);
    expect(value(m, 'batchyard_task_launches_total', { result: 'launched', source: 'api' })).toBe(3);
    expect(value(m, 'batchyard_task_executions_finished_total', { task: TASK, status: 'FAILED' })).toBe(1);
    expect(
      histogramCount(m, 'batchyard_task_execution_duration_seconds', { task: TASK, status: 'FAILED' }),
    ).toBe(1);
    expect(value(m, 'batchyard_queue_depth', { platform: 'local' })).toBe(0);
    expect(
      histogramCount(m, 'batchyard_http_request_duration_seconds', {
        method: 'GET',
        route: '/tasks/executions/:id',
        status: '200',
      }),
    ).toBeGreaterThan(0);
  });

  it('derives batch series from the job repository', async () => {
    const m = await scrape();
    const job = { job_name: 'settlement' };
    expect(value(m, 'batchyard_batch_job_executions', { ...job, status: 'COMPLETED' })).toBe(2);
    expect(value(m, 'batchyard_batch_job_executions', { ...job, status: 'FAILED' })).toBe(1);
    expect(value(m, 'batchyard_batch_jobs_running', job)).toBe(0);
    expect(value(m, 'batchyard_batch_job_finished', job)).toBe(3);
    const { rows } = await pool.query<Record<string, string>>(
      `SELECT sum(read_count) AS read, sum(write_count) AS written, sum(filter_count) AS filtered,
              sum(read_skip_count + process_skip_count + write_skip_count) AS skipped, count(*) AS n,
              sum(extract(epoch FROM end_time - start_time)) AS seconds
         FROM batch_step_execution
        WHERE job_execution_id IN (SELECT job_execution_id FROM batch_job_execution JOIN batch_job_instance USING (job_instance_id) WHERE job_name = 'settlement') AND step_name = 'settle'`,
    );
    const step = { ...job, step_name: 'settle' };
    for (const kind of ['read', 'written', 'filtered', 'skipped']) {
      expect(value(m, 'batchyard_batch_step_items', { ...step, kind }), kind).toBe(Number(rows[0]![kind]));
    }
    expect(Number(rows[0]!.read)).toBeGreaterThan(0);
    expect(value(m, 'batchyard_batch_step_finished', step)).toBe(Number(rows[0]!.n));
    expect(value(m, 'batchyard_batch_step_finished_duration_seconds', step)).toBeCloseTo(
      Number(rows[0]!.seconds),
      3,
    );
    expect(value(m, 'batchyard_batch_steps_running', step)).toBe(0);
    expect(value(m, 'batchyard_metrics_series_truncated', { source: 'steps' })).toBe(0);
  });

  it('never labels a series with an execution id', async () => {
    const allowed = new Set([
      'method',
      'route',
      'status',
      'result',
      'task',
      'platform',
      'resource',
      'job_name',
      'step_name',
      'kind',
      'source',
      'le',
      'type',
      'space',
      'version',
      'major',
      'minor',
      'patch',
      // batchyard_leader: this replica's id and lease backend (one series per process).
      'replica',
      'backend',
    ]);
    for (const family of (await scrape()).values()) {
      for (const sample of family.metrics) {
        for (const [k, v] of Object.entries(sample.labels ?? {})) {
          expect(allowed.has(k), `${family.name} label ${k}`).toBe(true);
          if (k === 'route') expect(v).not.toMatch(/\/\d+/);
        }
      }
    }
  });

  it('keeps a registry per app: a second app in the same process scrapes its own', async () => {
    const other = await startTestServer();
    try {
      const m = await scrape(other);
      expect(value(m, 'batchyard_task_executions', { status: 'COMPLETE' })).toBe(0);
      expect(value(m, 'batchyard_task_launches_total', { result: 'launched' })).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('the Grafana dashboard only queries metric names the server exposes', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: unknown[] };
    const exprs = JSON.stringify(dashboard).match(/"expr":"(?:[^"\\]|\\.)*"/g) ?? [];
    expect(exprs.length).toBeGreaterThan(8);
    const families = await scrape();
    const exposed = new Set<string>();
    for (const f of families.values()) {
      exposed.add(f.name);
      if (f.type === 'HISTOGRAM' || f.type === 'SUMMARY') {
        for (const suffix of ['_bucket', '_sum', '_count']) exposed.add(f.name + suffix);
      }
    }
    const used = new Set(exprs.flatMap((e) => e.match(/\bbatchyard_[a-z_]+\b/g) ?? []));
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(exposed.has(name), name).toBe(true);
  });

  it('keeps step totals right as later runs settle (settled rows are summed once)', async () => {
    await scrape(); // settles everything so far
    await runSample(server, ['rows=150', 'seed=204']);
    await new Promise((r) => setTimeout(r, 1100)); // past the scrape cache
    const m = await scrape();
    const { rows } = await pool.query<{ read: string; n: string }>(
      `SELECT sum(read_count) AS read, count(*) AS n FROM batch_step_execution
        WHERE job_execution_id IN (SELECT job_execution_id FROM batch_job_execution JOIN batch_job_instance USING (job_instance_id) WHERE job_name = 'settlement') AND step_name = 'settle'`,
    );
    const step = { job_name: 'settlement', step_name: 'settle' };
    expect(value(m, 'batchyard_batch_step_items', { ...step, kind: 'read' })).toBe(Number(rows[0]!.read));
    expect(value(m, 'batchyard_batch_step_finished', step)).toBe(Number(rows[0]!.n));
    expect(Number(rows[0]!.n)).toBe(4);
  });
});
