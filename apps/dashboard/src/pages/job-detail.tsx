import { api } from '../api.js';
import { useLive } from '../live.js';
import type { PageProps } from '../routes.js';
import type { JobExecutionDetail, StepExecution } from '../types.js';
import { durationBetween, formatDuration, formatNumber, formatTime } from '../ui/format.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { Status } from '../ui/status.js';
import { Action, ErrorBox, KeyValues, Loading } from '../ui/widgets.js';

export function StepTable({ jobId, steps }: { jobId: number; steps: StepExecution[] }) {
  if (steps.length === 0) return <p class="muted">No steps yet.</p>;
  const num = (n: number) => <td class="num">{formatNumber(n)}</td>;
  return (
    <table class="steps">
      <caption class="sr-only">Steps of job execution #{jobId}</caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Status</th>
          <th scope="col">Read</th>
          <th scope="col">Write</th>
          <th scope="col">Filter</th>
          <th scope="col">Skip</th>
          <th scope="col">Commit</th>
          <th scope="col">Rollback</th>
          <th scope="col">Duration</th>
          <th scope="col">Exit status</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s) => (
          <tr key={s.id} data-step={s.stepName}>
            <td>
              <a href={`/ui/jobs/${jobId}/steps/${s.id}`}>{s.stepName}</a>
            </td>
            <td>
              <Status status={s.status} />
            </td>
            {num(s.readCount)}
            {num(s.writeCount)}
            {num(s.filterCount)}
            {num(s.skipCount)}
            {num(s.commitCount)}
            {num(s.rollbackCount)}
            <td>{formatDuration(durationBetween(s.startTime, s.endTime))}</td>
            <td>
              {s.exitCode}
              {s.exitMessage ? <small class="muted"> {s.exitMessage.slice(0, 200)}</small> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function JobDetail({ params }: PageProps) {
  const id = Number(params.id);
  useTitle(`Job execution #${id}`);
  const job = useApi<JobExecutionDetail>(`/jobs/executions/${id}`);
  useLive(
    ['jobs', 'steps'],
    () => job.reload(),
    // A newer attempt (a restart) changes whether this one may still be restarted.
    (e) => (e.topic === 'steps' ? e.jobExecutionId === id : e.id >= id),
  );
  if (job.error) return <ErrorBox error={job.error} />;
  if (!job.data) return <Loading what={`job execution #${id}`} />;
  const j = job.data;
  const reload = () => job.reload();
  return (
    <>
      <h1>
        Job execution #{j.id}: {j.jobName}
      </h1>
      <p class="big-status">
        <Status status={j.status} /> exit status <strong>{j.exitCode}</strong>
      </p>
      <div class="toolbar">
        <Action
          needs="DEPLOY"
          label="Stop"
          disabledReason={j.stoppable ? undefined : 'Only a STARTING or STARTED job stops'}
          run={() => api('PUT', `/jobs/executions/${id}/stop`)}
          onDone={reload}
        />
        <Action
          needs="DEPLOY"
          label="Restart"
          disabledReason={
            j.restartable
              ? undefined
              : 'Only the newest FAILED or STOPPED execution of its instance, run by a task, restarts'
          }
          run={() => api('PUT', `/jobs/executions/${id}/restart`)}
          onDone={reload}
        />
        <Action
          needs="DEPLOY"
          label="Abandon"
          kind="danger"
          confirm="Abandon this job execution? It can never be restarted."
          disabledReason={j.abandonable ? undefined : 'Only a FAILED or STOPPED job is abandoned'}
          run={() => api('PUT', `/jobs/executions/${id}/abandon`)}
          onDone={reload}
        />
      </div>
      <dl class="kv">
        <div>
          <dt>Task execution</dt>
          <dd>
            {j.taskExecutionId ? (
              <a href={`/ui/executions/${j.taskExecutionId}`}>#{j.taskExecutionId}</a>
            ) : (
              '—'
            )}
          </dd>
        </div>
        <div>
          <dt>Job instance</dt>
          <dd>#{j.jobInstanceId}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(j.startTime)}</dd>
        </div>
        <div>
          <dt>Ended</dt>
          <dd>{formatTime(j.endTime)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(durationBetween(j.startTime, j.endTime))}</dd>
        </div>
        {j.exitMessage && (
          <div>
            <dt>Exit message</dt>
            <dd>
              <pre class="wrap">{j.exitMessage}</pre>
            </dd>
          </div>
        )}
      </dl>
      <section aria-labelledby="steps-h">
        <h2 id="steps-h">Steps</h2>
        <StepTable jobId={id} steps={j.steps} />
      </section>
      <section aria-labelledby="params-h">
        <h2 id="params-h">Parameters</h2>
        {j.parameters.length ? (
          <table>
            <caption class="sr-only">Job parameters</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Value</th>
                <th scope="col">Identifying</th>
              </tr>
            </thead>
            <tbody>
              {j.parameters.map((p) => (
                <tr key={p.name}>
                  <td>{p.name}</td>
                  <td>{p.type}</td>
                  <td>
                    <code>{p.value}</code>
                  </td>
                  <td>{p.identifying ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">none</p>
        )}
      </section>
      <section aria-labelledby="ctx-h">
        <h2 id="ctx-h">Job execution context</h2>
        <KeyValues values={j.context} empty="empty" />
      </section>
    </>
  );
}
