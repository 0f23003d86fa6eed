import type { TaskExecution } from '../types.js';
import { durationBetween, formatDuration, formatTime } from './format.js';
import { Status } from './status.js';

/** The executions table used by the list, the overview, a definition and a composed parent. */
export function ExecutionTable({
  items,
  caption,
  showReason = true,
}: {
  items: TaskExecution[];
  caption: string;
  showReason?: boolean;
}) {
  if (items.length === 0) return <p class="muted">No executions.</p>;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">ID</th>
          <th scope="col">Task</th>
          <th scope="col">Status</th>
          <th scope="col">Platform</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
          <th scope="col">Exit code</th>
          {showReason && <th scope="col">Reason</th>}
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.id}>
            <td>
              <a href={`/ui/executions/${e.id}`}>#{e.id}</a>
            </td>
            <td>
              <a href={`/ui/definitions/${encodeURIComponent(e.taskName)}`}>{e.taskName}</a>
            </td>
            <td>
              <Status status={e.status} />
              {e.queuePosition !== null && <span class="muted"> (position {e.queuePosition})</span>}
            </td>
            <td>{e.platformName ?? '—'}</td>
            <td>{formatTime(e.startTime ?? e.createdAt)}</td>
            <td>{formatDuration(durationBetween(e.startTime, e.endTime))}</td>
            <td>{e.exitCode ?? '—'}</td>
            {showReason && <td>{e.reason ?? e.errorMessage ?? ''}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
