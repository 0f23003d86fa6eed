import { withQuery } from '../api.js';
import { useLive } from '../live.js';
import type { PageProps } from '../routes.js';
import type { JobExecution, Page } from '../types.js';
import { Filters } from '../ui/filters.js';
import { durationBetween, formatDuration, formatTime } from '../ui/format.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { Status } from '../ui/status.js';
import { ErrorBox, Loading, Pager } from '../ui/widgets.js';

export const BATCH_STATUSES = [
  'STARTING',
  'STARTED',
  'STOPPING',
  'STOPPED',
  'FAILED',
  'COMPLETED',
  'ABANDONED',
  'UNKNOWN',
] as const;

export function JobTable({ items, caption }: { items: JobExecution[]; caption: string }) {
  if (items.length === 0) return <p class="muted">No job executions.</p>;
  return (
    <table>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">ID</th>
          <th scope="col">Job</th>
          <th scope="col">Status</th>
          <th scope="col">Exit status</th>
          <th scope="col">Task execution</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
          <th scope="col">Steps</th>
        </tr>
      </thead>
      <tbody>
        {items.map((j) => (
          <tr key={j.id}>
            <td>
              <a href={`/ui/jobs/${j.id}`}>#{j.id}</a>
            </td>
            <td>{j.jobName}</td>
            <td>
              <Status status={j.status} />
            </td>
            <td>{j.exitCode}</td>
            <td>
              {j.taskExecutionId ? (
                <a href={`/ui/executions/${j.taskExecutionId}`}>#{j.taskExecutionId}</a>
              ) : (
                '—'
              )}
            </td>
            <td>{formatTime(j.startTime)}</td>
            <td>{formatDuration(durationBetween(j.startTime, j.endTime))}</td>
            <td>{j.stepExecutionCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function JobsList({ loc }: PageProps) {
  useTitle('Job executions');
  const q = (k: string) => loc.query.get(k) ?? undefined;
  const page = useApi<Page<JobExecution>>(
    withQuery('/jobs/executions', {
      name: q('name'),
      status: q('status'),
      from: q('from'),
      to: q('to'),
      taskExecutionId: q('taskExecutionId'),
      size: q('size') ?? 20,
      cursor: q('cursor'),
    }),
  );
  useLive(loc.query.get('cursor') ? [] : ['jobs'], () => page.reload());
  return (
    <>
      <h1>Job executions</h1>
      <Filters
        loc={loc}
        specs={[
          { key: 'name', label: 'Job name', type: 'text' },
          { key: 'status', label: 'Status', type: 'select', options: BATCH_STATUSES },
          { key: 'taskExecutionId', label: 'Task execution', type: 'number' },
          { key: 'from', label: 'Started from', type: 'datetime' },
          { key: 'to', label: 'Started before', type: 'datetime' },
        ]}
        quick={[
          ['Failed', { status: 'FAILED' }],
          ['Running', { status: 'STARTED' }],
        ]}
      />
      <ErrorBox error={page.error} />
      {page.data ? (
        <JobTable items={page.data.items} caption="Job executions, newest first" />
      ) : (
        <Loading what="job executions" />
      )}
      <Pager loc={loc} next={page.data?.page.next} />
    </>
  );
}
