import { api, launchWith, newLaunchKey, withQuery } from '../api.js';
import { useLive } from '../live.js';
import { navigate } from '../router.js';
import type { PageProps } from '../routes.js';
import type { JobExecution, Page, TaskDefinition, TaskExecution } from '../types.js';
import { ExecutionTable } from '../ui/execution-table.js';
import { durationBetween, formatDuration, formatTime } from '../ui/format.js';
import { type NodeState, TaskGraph } from '../ui/graph.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { LogViewer } from '../ui/logs.js';
import { Status } from '../ui/status.js';
import { Action, ErrorBox, KeyValues, Loading } from '../ui/widgets.js';
import { useParsedGraph } from './definition-detail.js';
import { JobTable } from './jobs.js';

const ACTIVE = new Set(['QUEUED', 'LAUNCHING', 'PENDING', 'RUNNING', 'STOPPING']);

/** Each node of a composed graph with its child execution's status (the newest run of that child). */
export function childStates(parent: string, children: TaskExecution[]): Record<string, NodeState> {
  const states: Record<string, NodeState> = {};
  for (const c of [...children].sort((a, b) => a.id - b.id)) {
    if (!c.taskName.startsWith(`${parent}-`)) continue;
    states[c.taskName.slice(parent.length + 1)] = { status: c.status, href: `/ui/executions/${c.id}` };
  }
  return states;
}

function Timeline({ e }: { e: TaskExecution }) {
  const steps: [string, string | null][] = [
    ['Created', e.createdAt],
    ['Queued', e.queuedAt],
    ['Started', e.startTime],
    ['Ended', e.endTime],
  ];
  return (
    <ol class="timeline" aria-label="Status timeline">
      {steps
        .filter(([, t]) => t)
        .map(([label, t]) => (
          <li key={label}>
            <strong>{label}</strong> {formatTime(t)}
          </li>
        ))}
    </ol>
  );
}

export function ExecutionDetail({ params }: PageProps) {
  const id = Number(params.id);
  useTitle(`Execution #${id}`);
  const exec = useApi<TaskExecution>(`/tasks/executions/${id}`);
  const def = useApi<TaskDefinition>(
    exec.data ? `/tasks/definitions/${encodeURIComponent(exec.data.taskName)}` : undefined,
  );
  const composed = def.data?.composed === true;
  const children = useApi<Page<TaskExecution>>(
    composed ? withQuery('/tasks/executions', { parent: id, size: 1000 }) : undefined,
  );
  const jobs = useApi<Page<JobExecution>>(withQuery('/jobs/executions', { taskExecutionId: id, size: 50 }));
  const parsed = useParsedGraph(composed ? def.data?.definition : undefined, exec.data?.taskName);
  useLive(['executions', 'jobs'], () => {
    exec.reload();
    if (composed) children.reload();
    jobs.reload();
  });
  if (exec.error) return <ErrorBox error={exec.error} />;
  if (!exec.data) return <Loading what={`execution #${id}`} />;
  const e = exec.data;
  const running = ACTIVE.has(e.status);
  const reload = () => exec.reload();
  return (
    <>
      <h1>
        Execution #{e.id} of <a href={`/ui/definitions/${encodeURIComponent(e.taskName)}`}>{e.taskName}</a>
      </h1>
      <p class="big-status">
        <Status status={e.status} />
        {e.queuePosition !== null && <span> — position {e.queuePosition} in the queue</span>}
        {e.reason && (
          <span class="reason">
            {' '}
            — platform reason: <strong>{e.reason}</strong>
          </span>
        )}
      </p>
      <div class="toolbar">
        <Action
          needs="DEPLOY"
          label="Stop"
          disabledReason={running ? undefined : 'Only a queued or running execution can be stopped'}
          run={() => api('POST', `/tasks/executions/${id}/stop`)}
          onDone={reload}
        />
        <Action
          needs="DEPLOY"
          label="Relaunch"
          run={async () =>
            navigate(
              `/ui/executions/${(await launchWith<TaskExecution>(newLaunchKey(), `/tasks/executions/${id}/relaunch`)).id}`,
            )
          }
        />
        {composed && (
          <Action
            needs="DEPLOY"
            label="Restart failed children"
            disabledReason={
              e.status === 'FAILED' || e.status === 'STOPPED'
                ? undefined
                : 'Only a failed or stopped composed execution restarts'
            }
            run={() => launchWith(newLaunchKey(), `/tasks/executions/${id}/restart`)}
            onDone={reload}
          />
        )}
        <Action
          needs="DESTROY"
          label="Clean up"
          kind="danger"
          confirm={`Remove the platform resources of execution #${id}?`}
          disabledReason={running ? 'Stop it first' : undefined}
          run={() => api('DELETE', `/tasks/executions/${id}?action=CLEANUP`)}
          onDone={reload}
        />
      </div>
      <Timeline e={e} />
      <dl class="kv">
        <div>
          <dt>Platform</dt>
          <dd>
            {e.platformName ?? '—'} ({e.platformType ?? '—'}) <code>{e.externalExecutionId ?? ''}</code>
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(durationBetween(e.startTime, e.endTime))}</dd>
        </div>
        <div>
          <dt>Exit code</dt>
          <dd>{e.exitCode ?? '—'}</dd>
        </div>
        {e.exitMessage && (
          <div>
            <dt>Exit message</dt>
            <dd>{e.exitMessage}</dd>
          </div>
        )}
        {e.errorMessage && (
          <div>
            <dt>Error</dt>
            <dd>{e.errorMessage}</dd>
          </div>
        )}
        {e.parentExecutionId && (
          <div>
            <dt>Parent</dt>
            <dd>
              <a href={`/ui/executions/${e.parentExecutionId}`}>#{e.parentExecutionId}</a>
            </dd>
          </div>
        )}
        {e.scheduleName && (
          <div>
            <dt>Schedule</dt>
            <dd>
              <a href={`/ui/schedules/${encodeURIComponent(e.scheduleName)}`}>{e.scheduleName}</a>
            </dd>
          </div>
        )}
      </dl>
      {composed && (
        <section aria-labelledby="graph-h">
          <h2 id="graph-h">Graph</h2>
          {parsed?.graph ? (
            <TaskGraph
              graph={parsed.graph}
              states={childStates(e.taskName, children.data?.items ?? [])}
              title={`Graph of execution #${id}`}
            />
          ) : (
            <Loading what="the graph" />
          )}
          <h3>Child executions</h3>
          {children.data ? (
            <ExecutionTable items={children.data.items} caption="Child executions" />
          ) : (
            <Loading what="children" />
          )}
        </section>
      )}
      <section aria-labelledby="args-h">
        <h2 id="args-h">Arguments and properties</h2>
        <h3>Arguments</h3>
        {e.arguments.length ? (
          <ul>
            {e.arguments.map((a, i) => (
              <li key={i}>
                <code>{a}</code>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">none</p>
        )}
        <h3>Properties</h3>
        <KeyValues values={e.properties} />
      </section>
      <section aria-labelledby="jobs-h">
        <h2 id="jobs-h">Job executions</h2>
        {jobs.data ? (
          <JobTable items={jobs.data.items} caption="Job executions run by this task" />
        ) : (
          <Loading what="job executions" />
        )}
      </section>
      <LogViewer id={id} running={running} started={e.externalExecutionId !== null} key={id} />
      {e.manifest !== null && (
        <details>
          <summary>Manifest</summary>
          <pre class="manifest">{JSON.stringify(e.manifest, null, 2)}</pre>
        </details>
      )}
    </>
  );
}
