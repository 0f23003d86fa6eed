import { useContext } from 'preact/hooks';
import { withQuery } from '../api.js';
import { CallerContext } from '../context.js';
import { useLive } from '../live.js';
import type { PageProps } from '../routes.js';
import type { Page, PlatformLoad, TaskExecution } from '../types.js';
import { ExecutionTable } from '../ui/execution-table.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { ErrorBox, Loading } from '../ui/widgets.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const FAILED_SAMPLE = 1000;

/** Running, queued and 24 h failures per platform account; the queue; recent failures and their reasons. */
export function Overview(_: PageProps) {
  useTitle('Overview');
  const grafana = useContext(CallerContext)?.about?.links.grafana;
  const since = new Date(Math.floor((Date.now() - DAY_MS) / 60_000) * 60_000).toISOString();
  const load = useApi<PlatformLoad[]>('/tasks/executions/current');
  const failed = useApi<Page<TaskExecution>>(
    withQuery('/tasks/executions', { status: 'FAILED', from: since, size: FAILED_SAMPLE }),
  );
  const queue = useApi<Page<TaskExecution>>('/tasks/executions?status=QUEUED&size=50');
  useLive(['executions'], () => {
    load.reload();
    failed.reload();
    queue.reload();
  });
  const failedBy = new Map<string, number>();
  for (const e of failed.data?.items ?? [])
    failedBy.set(e.platformName ?? '—', (failedBy.get(e.platformName ?? '—') ?? 0) + 1);
  const more = failed.data?.page.next ? '+' : '';
  const queued = [...(queue.data?.items ?? [])].sort(
    (a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0),
  );
  return (
    <>
      <h1>Overview</h1>
      {grafana && (
        <p>
          <a href={grafana} rel="noopener noreferrer" target="_blank">
            Metrics in Grafana ↗
          </a>
        </p>
      )}
      <ErrorBox error={load.error ?? failed.error ?? queue.error} />
      <section aria-labelledby="platforms-h">
        <h2 id="platforms-h">Platform accounts</h2>
        {!load.data ? (
          <Loading what="platform accounts" />
        ) : (
          <table>
            <caption class="sr-only">Running, queued and failed (24 h) per platform account</caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Type</th>
                <th scope="col">Running</th>
                <th scope="col">Limit</th>
                <th scope="col">Queued</th>
                <th scope="col">Failed (24 h)</th>
              </tr>
            </thead>
            <tbody>
              {load.data.map((p) => (
                <tr key={p.name}>
                  <th scope="row">{p.name}</th>
                  <td>{p.type}</td>
                  <td data-cell="running">{p.runningExecutionCount}</td>
                  <td>{p.maximumTaskExecutions}</td>
                  <td data-cell="queued">
                    <a href={`/ui/executions?status=QUEUED`}>{p.queuedExecutionCount}</a>
                  </td>
                  <td data-cell="failed">
                    <a href={withQuery('/ui/executions', { status: 'FAILED', from: since })}>
                      {(failedBy.get(p.name) ?? 0) + more}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="queue-h">
        <h2 id="queue-h">Queue</h2>
        {queue.data ? (
          <ExecutionTable items={queued} caption="Queued executions by position" />
        ) : (
          <Loading what="the queue" />
        )}
      </section>
      <section aria-labelledby="failures-h">
        <h2 id="failures-h">Recent failures</h2>
        {failed.data ? (
          <ExecutionTable
            items={failed.data.items.slice(0, 10)}
            caption="Failed in the last 24 hours, newest first"
          />
        ) : (
          <Loading what="failures" />
        )}
      </section>
    </>
  );
}
