import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, withQuery } from '../api.js';
import { useLive } from '../live.js';
import type { PageProps } from '../routes.js';
import type { JobExecution, Page, StepExecution, StepExecutionHistory, StepProgress } from '../types.js';
import { TimeChart } from '../ui/chart.js';
import { durationBetween, formatDuration, formatNumber, formatTime } from '../ui/format.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { Status } from '../ui/status.js';
import { ErrorBox, KeyValues, Loading } from '../ui/widgets.js';

const RUNS = 30;

/** The same step in the job's last finished runs (newest first), for the history charts. */
function useStepRuns(jobName: string | undefined, stepName: string | undefined): StepExecution[] | undefined {
  const [runs, setRuns] = useState<StepExecution[]>();
  useEffect(() => {
    if (!jobName || !stepName) return;
    let live = true;
    (async () => {
      const jobs = await get<Page<JobExecution>>(
        withQuery('/jobs/executions', { name: jobName, size: RUNS }),
      );
      const found: StepExecution[] = [];
      const queue = [...jobs.items];
      const worker = async () => {
        for (let j = queue.shift(); j; j = queue.shift()) {
          const steps = await get<StepExecution[]>(`/jobs/executions/${j.id}/steps`);
          for (const s of steps) if (s.stepName === stepName && s.endTime && s.startTime) found.push(s);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      if (live) setRuns(found.sort((a, b) => Date.parse(a.startTime!) - Date.parse(b.startTime!)));
    })().catch(() => live && setRuns([]));
    return () => {
      live = false;
    };
  }, [jobName, stepName]);
  return runs;
}

const ROWS: [keyof Omit<StepExecutionHistory, 'jobName' | 'stepName' | 'count'>, string, boolean][] = [
  ['duration', 'Duration', true],
  ['durationPerRead', 'Duration per read', true],
  ['readCount', 'Read', false],
  ['writeCount', 'Write', false],
  ['filterCount', 'Filter', false],
  ['commitCount', 'Commit', false],
  ['rollbackCount', 'Rollback', false],
  ['readSkipCount', 'Read skips', false],
  ['processSkipCount', 'Process skips', false],
  ['writeSkipCount', 'Write skips', false],
];

function HistoryTable({ h }: { h: StepExecutionHistory }) {
  const f = (n: number, ms: boolean) => (ms ? formatDuration(n) : formatNumber(n, 1));
  return (
    <table>
      <caption>
        History of {h.stepName} over {h.count} finished runs
      </caption>
      <thead>
        <tr>
          <th scope="col">Measure</th>
          <th scope="col">Min</th>
          <th scope="col">Max</th>
          <th scope="col">Mean</th>
          <th scope="col">Std dev</th>
        </tr>
      </thead>
      <tbody>
        {ROWS.map(([key, label, ms]) => (
          <tr key={key}>
            <th scope="row">{label}</th>
            <td class="num">{f(h[key].min, ms)}</td>
            <td class="num">{f(h[key].max, ms)}</td>
            <td class="num">{f(h[key].mean, ms)}</td>
            <td class="num">{f(h[key].standardDeviation, ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function StepDetail({ params }: PageProps) {
  const jobId = Number(params.id);
  const stepId = Number(params.stepId);
  useTitle(`Step execution #${stepId}`);
  const progress = useApi<StepProgress>(`/jobs/executions/${jobId}/steps/${stepId}/progress`);
  const detail = useApi<StepExecution>(`/jobs/executions/${jobId}/steps/${stepId}`);
  // Counters move with the step's events; its end arrives with the job's (the step leaves the running set).
  useLive(
    ['steps', 'jobs'],
    () => {
      progress.reload();
      detail.reload();
    },
    (e) => (e.topic === 'steps' ? e.id === stepId : e.id === jobId),
  );
  const s = detail.data ?? progress.data?.stepExecution;
  const runs = useStepRuns(s?.jobName, s?.stepName);
  const charts = useMemo(() => {
    const r = runs ?? [];
    const times = r.map((x) => Date.parse(x.startTime!) / 1000);
    const durations = r.map((x) => durationBetween(x.startTime, x.endTime)! / 1000);
    const rates = r.map((x, i) => (durations[i]! > 0 ? x.writeCount / durations[i]! : null));
    return {
      times,
      duration: { label: 'Duration', unit: 's', values: durations },
      rate: { label: 'Items written per second', unit: 'items/s', values: rates },
    };
  }, [runs]);
  if (progress.error && detail.error) return <ErrorBox error={detail.error} />;
  if (!s) return <Loading what={`step execution #${stepId}`} />;
  const p = progress.data;
  const pct = p ? Math.round(Math.min(1, p.percentageComplete) * 100) : undefined;
  return (
    <>
      <h1>
        Step {s.stepName} of <a href={`/ui/jobs/${jobId}`}>job execution #{jobId}</a>
      </h1>
      <p class="big-status">
        <Status status={s.status} /> exit status <strong>{s.exitCode}</strong>
      </p>
      {p && pct !== undefined && (
        <div class="progress-box">
          <label for="step-progress">
            {p.finished ? 'Finished' : 'Progress'}: {pct}%{' '}
            <span class="muted">(estimated from {p.percentCompleteBasis.toLowerCase()})</span>
          </label>
          <progress id="step-progress" max={100} value={pct}>
            {pct}%
          </progress>
          <span class="muted"> {formatDuration(p.duration)} so far</span>
        </div>
      )}
      <dl class="kv counts">
        {(
          ['readCount', 'writeCount', 'filterCount', 'skipCount', 'commitCount', 'rollbackCount'] as const
        ).map((k) => (
          <div key={k}>
            <dt>{k.replace('Count', '')}</dt>
            <dd>{formatNumber(s[k])}</dd>
          </div>
        ))}
        <div>
          <dt>started</dt>
          <dd>{formatTime(s.startTime)}</dd>
        </div>
        <div>
          <dt>duration</dt>
          <dd>{formatDuration(durationBetween(s.startTime, s.endTime))}</dd>
        </div>
      </dl>
      <section aria-labelledby="hist-h">
        <h2 id="hist-h">History</h2>
        {p ? <HistoryTable h={p.stepExecutionHistory} /> : <Loading what="history" />}
        {runs === undefined ? (
          <Loading what="past runs" />
        ) : runs.length === 0 ? (
          <p class="muted">No finished runs of this step yet.</p>
        ) : (
          <div class="charts">
            <TimeChart times={charts.times} series={charts.duration} title="Duration per run" />
            <TimeChart times={charts.times} series={charts.rate} title="Items per second per run" />
          </div>
        )}
      </section>
      <section aria-labelledby="sctx-h">
        <h2 id="sctx-h">Step execution context</h2>
        <KeyValues values={s.context ?? {}} empty="empty" />
      </section>
    </>
  );
}
