import { useEffect, useState } from 'preact/hooks';
import { api, withQuery } from '../api.js';
import { useLive } from '../live.js';
import { navigate } from '../router.js';
import type { PageProps } from '../routes.js';
import type {
  GraphBody,
  Page,
  ParseTaskTextResponse,
  Revision,
  Schedule,
  TaskDefinition,
  TaskExecution,
} from '../types.js';
import { ExecutionTable } from '../ui/execution-table.js';
import { diffLines, formatTime } from '../ui/format.js';
import { TaskGraph } from '../ui/graph.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { Action, ActionLink, ErrorBox, Loading } from '../ui/widgets.js';

interface History {
  current: TaskDefinition;
  revisions: Revision[];
}

/** The graph of a composed DSL, from the server's parser (the one the launcher uses). */
export function useParsedGraph(dsl: string | undefined, name?: string): ParseTaskTextResponse | undefined {
  const [parsed, setParsed] = useState<ParseTaskTextResponse>();
  useEffect(() => {
    if (!dsl) return;
    let live = true;
    api<ParseTaskTextResponse>('POST', '/tools/parseTaskTextToGraph', {
      dsl,
      ...(name ? { name } : {}),
    }).then(
      (r) => live && setParsed(r),
      () => live && setParsed(undefined),
    );
    return () => {
      live = false;
    };
  }, [dsl, name]);
  return parsed;
}

function HistoryView({ history }: { history: History }) {
  const versions = [
    {
      version: history.current.version,
      definition: history.current.definition,
      at: history.current.updatedAt,
    },
    ...history.revisions.map((r) => ({ version: r.version, definition: r.definition, at: r.createdAt })),
  ];
  if (versions.length < 2) return <p class="muted">Never edited (version {history.current.version}).</p>;
  return (
    <ol class="history">
      {versions.slice(0, -1).map((v, i) => {
        const before = versions[i + 1]!;
        return (
          <li key={v.version}>
            <h3>
              Version {before.version} → {v.version} <span class="muted">({formatTime(v.at)})</span>
            </h3>
            <pre class="diff">
              {diffLines(before.definition, v.definition).map((l, j) => (
                <div key={j} class={`diff-${l.kind}`}>
                  <span aria-hidden="true">{l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : '  '}</span>
                  <span class="sr-only">
                    {l.kind === 'add' ? 'added: ' : l.kind === 'del' ? 'removed: ' : ''}
                  </span>
                  {l.text}
                </div>
              ))}
            </pre>
          </li>
        );
      })}
    </ol>
  );
}

export function DefinitionDetail({ params }: PageProps) {
  const name = params.name!;
  useTitle(`Task ${name}`);
  const path = `/tasks/definitions/${encodeURIComponent(name)}`;
  const def = useApi<TaskDefinition>(path);
  const history = useApi<History>(`${path}/history`);
  const runs = useApi<Page<TaskExecution>>(withQuery('/tasks/executions', { task: name, size: 10 }));
  const schedules = useApi<Page<Schedule>>(
    withQuery('/tasks/schedules', { taskDefinitionName: name, size: 50 }),
  );
  const parsed = useParsedGraph(def.data?.composed ? def.data.definition : undefined, name);
  useLive(['executions'], () => runs.reload());
  if (def.error) return <ErrorBox error={def.error} />;
  if (!def.data) return <Loading what={`task ${name}`} />;
  const d = def.data;
  const graph: GraphBody | undefined = parsed?.graph ?? undefined;
  const apps = graph?.nodes.filter((n) => n.name !== 'START' && n.name !== 'END') ?? [];
  return (
    <>
      <h1>
        Task <span class="mono">{d.name}</span>
      </h1>
      <div class="toolbar">
        <ActionLink
          needs="DEPLOY"
          kind="primary"
          href={`/ui/launch/${encodeURIComponent(name)}`}
          label="Launch…"
        />
        <ActionLink needs="MODIFY" href={`/ui/definitions/${encodeURIComponent(name)}/edit`} label="Edit" />
        <ActionLink
          needs="SCHEDULE"
          href={withQuery('/ui/schedules/new', { task: name })}
          label="Schedule…"
        />
        <Action
          needs="DESTROY"
          label="Delete"
          kind="danger"
          confirm={`Delete task definition ${name}?`}
          run={() => api('DELETE', path)}
          onDone={() => navigate('/ui/definitions')}
        />
      </div>
      <dl class="kv">
        <div>
          <dt>Definition</dt>
          <dd>
            <code class="dsl">{d.definition}</code>
          </dd>
        </div>
        <div>
          <dt>Description</dt>
          <dd>{d.description ?? '—'}</dd>
        </div>
        <div>
          <dt>Kind</dt>
          <dd>{d.composed ? 'composed task' : d.parentName ? `child of ${d.parentName}` : 'task'}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>
            {d.version} (updated {formatTime(d.updatedAt)})
          </dd>
        </div>
      </dl>
      {d.composed && (
        <section aria-labelledby="graph-h">
          <h2 id="graph-h">Graph</h2>
          {graph ? <TaskGraph graph={graph} title={`Graph of ${name}`} /> : <Loading what="the graph" />}
          <h3>Apps</h3>
          <ul>
            {apps.map((n) => (
              <li key={n.id}>
                {n.label ? `${n.label}: ` : ''}
                <code>{n.name}</code>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="runs-h">
        <h2 id="runs-h">Recent executions</h2>
        {runs.data ? (
          <ExecutionTable items={runs.data.items} caption={`Latest executions of ${name}`} />
        ) : (
          <Loading what="executions" />
        )}
        <p>
          <a href={withQuery('/ui/executions', { task: name })}>All executions of {name} →</a>
        </p>
      </section>
      <section aria-labelledby="schedules-h">
        <h2 id="schedules-h">Schedules</h2>
        {schedules.data?.items.length ? (
          <ul>
            {schedules.data.items.map((s) => (
              <li key={s.name}>
                <a href={`/ui/schedules/${encodeURIComponent(s.name)}`}>{s.name}</a> <code>{s.cron}</code>
                {s.suspend ? ' (suspended)' : ''}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">No schedules.</p>
        )}
      </section>
      <section aria-labelledby="history-h">
        <h2 id="history-h">Edit history</h2>
        {history.data ? <HistoryView history={history.data} /> : <Loading what="history" />}
      </section>
    </>
  );
}
