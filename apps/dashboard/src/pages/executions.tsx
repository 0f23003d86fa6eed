// The statuses from the domain module itself (plain data, no zod in the bundle).
import { TASK_STATUSES } from '@batchyard/core/task-status';
import { withQuery } from '../api.js';
import { useLive } from '../live.js';
import type { PageProps } from '../routes.js';
import type { Page, TaskExecution } from '../types.js';
import { ExecutionTable } from '../ui/execution-table.js';
import { Filters } from '../ui/filters.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { ErrorBox, Loading, Pager } from '../ui/widgets.js';

export function ExecutionsList({ loc }: PageProps) {
  useTitle('Task executions');
  const q = (k: string) => loc.query.get(k) ?? undefined;
  const page = useApi<Page<TaskExecution>>(
    withQuery('/tasks/executions', {
      status: q('status'),
      task: q('task'),
      from: q('from'),
      to: q('to'),
      parent: q('parent'),
      size: q('size') ?? 20,
      cursor: q('cursor'),
    }),
  );
  // Only the first page moves under the user's eyes; a deeper page stays put while they read it.
  useLive(loc.query.get('cursor') ? [] : ['executions'], () => page.reload());
  return (
    <>
      <h1>Task executions</h1>
      <Filters
        loc={loc}
        specs={[
          { key: 'status', label: 'Status', type: 'select', options: TASK_STATUSES },
          { key: 'task', label: 'Task', type: 'text' },
          { key: 'from', label: 'Created from', type: 'datetime' },
          { key: 'to', label: 'Created before', type: 'datetime' },
          { key: 'parent', label: 'Parent execution', type: 'number' },
        ]}
        quick={[
          ['Failed', { status: 'FAILED' }],
          ['Running', { status: 'RUNNING' }],
          ['Queued', { status: 'QUEUED' }],
        ]}
      />
      <ErrorBox error={page.error} />
      {page.data ? (
        <ExecutionTable items={page.data.items} caption="Task executions, newest first" />
      ) : (
        <Loading what="executions" />
      )}
      <Pager loc={loc} next={page.data?.page.next} />
    </>
  );
}
