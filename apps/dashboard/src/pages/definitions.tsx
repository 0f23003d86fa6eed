import { useState } from 'preact/hooks';
import { withQuery } from '../api.js';
import { useLive } from '../live.js';
import { navigate, withParams } from '../router.js';
import type { PageProps } from '../routes.js';
import type { Page, TaskDefinitionWithStatus } from '../types.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { Status } from '../ui/status.js';
import { ActionLink, ErrorBox, Loading, Pager } from '../ui/widgets.js';

/** The last execution, which the list's page already carries (no call per row). */
function LastStatus({ d }: { d: TaskDefinitionWithStatus }) {
  const e = d.lastTaskExecution;
  return e ? (
    <a href={`/ui/executions/${e.id}`}>
      <Status status={e.status} />
    </a>
  ) : (
    <span class="muted">never run</span>
  );
}

export function DefinitionsList({ loc }: PageProps) {
  useTitle('Task definitions');
  const search = loc.query.get('search') ?? '';
  const [text, setText] = useState(search);
  const page = useApi<Page<TaskDefinitionWithStatus>>(
    withQuery('/tasks/definitions', {
      search,
      size: loc.query.get('size') ?? 20,
      cursor: loc.query.get('cursor'),
    }),
  );
  // The first page follows its rows' last executions; a later page stays as it was read.
  useLive(loc.query.get('cursor') ? [] : ['executions'], () => page.reload());
  return (
    <>
      <h1>Task definitions</h1>
      <div class="toolbar">
        <form
          aria-label="Search task definitions"
          onSubmit={(e) => {
            e.preventDefault();
            navigate(withParams(loc, { search: text }));
          }}
        >
          <label for="def-search">Name contains</label>
          <input id="def-search" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          <button type="submit">Search</button>
        </form>
        <ActionLink needs="CREATE" kind="primary" href="/ui/definitions/new" label="New definition" />
      </div>
      <ErrorBox error={page.error} />
      {!page.data ? (
        <Loading what="definitions" />
      ) : page.data.items.length === 0 ? (
        <p class="muted">No task definitions{search ? ` matching “${search}”` : ''}.</p>
      ) : (
        <table>
          <caption class="sr-only">Task definitions</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Definition</th>
              <th scope="col">Kind</th>
              <th scope="col">Last execution</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((d) => (
              <tr key={d.name}>
                <td>
                  <a href={`/ui/definitions/${encodeURIComponent(d.name)}`}>{d.name}</a>
                </td>
                <td>
                  <code>{d.definition}</code>
                </td>
                <td>{d.composed ? 'composed' : d.parentName ? `child of ${d.parentName}` : 'task'}</td>
                <td>
                  <LastStatus d={d} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager loc={loc} next={page.data?.page.next} />
    </>
  );
}
