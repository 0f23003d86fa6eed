import { type Db, monitoring } from '@batchyard/db';
import { Gauge, type Registry } from 'prom-client';

/**
 * Batch metrics derived from the job repository when Prometheus scrapes: the worker writes the
 * rows, so the numbers survive server restarts and need no event stream from the pods. Labels
 * are job and step names only (never execution ids), as `job_name`/`step_name` because
 * Prometheus owns the `job` label (the scrape job); at most `maxSeries` job/status and
 * job/step rows are exported, in name order, and `batchyard_metrics_series_truncated` says when
 * the cap cut some off.
 */
export function registerBatchMetrics(register: Registry, db: Db, maxSeries: number): void {
  // One query per source per scrape, shared by the gauges that read it.
  let cached: { at: number; value: Promise<Snapshot> } | undefined;
  const snapshot = (): Promise<Snapshot> => {
    const now = Date.now();
    if (!cached || now - cached.at > 1000) {
      cached = { at: now, value: load(db, maxSeries) };
      cached.value.catch(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (g: Gauge, s: Snapshot) => void,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [register],
      async collect() {
        const s = await snapshot();
        this.reset();
        fill(this, s);
      },
    });
  };

  gauge(
    'batchyard_batch_job_executions',
    'Job executions by job name and batch status.',
    ['job_name', 'status'],
    (g, s) => {
      for (const j of s.jobs) g.set({ job_name: j.jobName, status: j.status }, j.count);
    },
  );
  gauge(
    'batchyard_batch_jobs_running',
    'Job executions STARTING, STARTED or STOPPING.',
    ['job_name'],
    (g, s) => {
      for (const [job, n] of sumBy(s.jobs, (j) => (RUNNING.has(j.status) ? j.count : 0)))
        g.set({ job_name: job }, n);
    },
  );
  gauge(
    'batchyard_batch_job_finished_duration_seconds',
    'Sum of the durations of finished job executions (divide by batchyard_batch_job_finished for the mean).',
    ['job_name'],
    (g, s) => {
      for (const [job, n] of sumBy(s.jobs, (j) => j.durationSum)) g.set({ job_name: job }, n);
    },
  );
  gauge(
    'batchyard_batch_job_finished',
    'Finished job executions (with a start and an end).',
    ['job_name'],
    (g, s) => {
      for (const [job, n] of sumBy(s.jobs, (j) => j.finished)) g.set({ job_name: job }, n);
    },
  );
  gauge(
    'batchyard_batch_step_items',
    'Items per job and step name over all step executions: read, written, skipped, filtered.',
    ['job_name', 'step_name', 'kind'],
    (g, s) => {
      for (const x of s.steps) {
        const labels = { job_name: x.jobName, step_name: x.stepName };
        g.set({ ...labels, kind: 'read' }, x.read);
        g.set({ ...labels, kind: 'written' }, x.written);
        g.set({ ...labels, kind: 'skipped' }, x.skipped);
        g.set({ ...labels, kind: 'filtered' }, x.filtered);
      }
    },
  );
  gauge(
    'batchyard_batch_steps_running',
    'Step executions STARTING, STARTED or STOPPING.',
    ['job_name', 'step_name'],
    (g, s) => {
      for (const x of s.steps) g.set({ job_name: x.jobName, step_name: x.stepName }, x.running);
    },
  );
  gauge(
    'batchyard_batch_step_finished_duration_seconds',
    'Sum of the durations of finished step executions (divide by batchyard_batch_step_finished for the mean).',
    ['job_name', 'step_name'],
    (g, s) => {
      for (const x of s.steps) g.set({ job_name: x.jobName, step_name: x.stepName }, x.durationSum);
    },
  );
  gauge('batchyard_batch_step_finished', 'Finished step executions.', ['job_name', 'step_name'], (g, s) => {
    for (const x of s.steps) g.set({ job_name: x.jobName, step_name: x.stepName }, x.finished);
  });
  gauge(
    'batchyard_metrics_series_truncated',
    '1 when the series cap left some job or step names out of this scrape.',
    ['source'],
    (g, s) => {
      g.set({ source: 'jobs' }, s.jobs.length >= maxSeries ? 1 : 0);
      g.set({ source: 'steps' }, s.stepsCut ? 1 : 0);
    },
  );
}

const RUNNING = new Set(['STARTING', 'STARTED', 'STOPPING']);

interface Snapshot {
  jobs: monitoring.JobAggregate[];
  steps: monitoring.StepAggregate[];
  stepsCut: boolean;
}

/**
 * Two small reads whatever the history size: the trigger-kept totals (a row per job/status and per
 * job/step) and the steps running now.
 */
async function load(db: Db, maxSeries: number): Promise<Snapshot> {
  const [jobs, all] = await Promise.all([
    monitoring.jobAggregates(db, maxSeries),
    monitoring.stepAggregates(db),
  ]);
  return { jobs, steps: all.slice(0, maxSeries), stepsCut: all.length > maxSeries };
}

function sumBy(rows: monitoring.JobAggregate[], value: (r: monitoring.JobAggregate) => number) {
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.jobName, (out.get(r.jobName) ?? 0) + value(r));
  return out;
}
