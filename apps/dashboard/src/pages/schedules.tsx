import { api, launchWith, newLaunchKey, withQuery } from '../api.js';
import { useLive } from '../live.js';
import { navigate } from '../router.js';
import type { PageProps } from '../routes.js';
import type { Page, Schedule, ScheduleDetail, ScheduleListItem, TaskExecution } from '../types.js';
import { explainCron } from '../ui/cron.js';
import { Filters } from '../ui/filters.js';
import { durationBetween, formatDuration, formatTime } from '../ui/format.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { Status } from '../ui/status.js';
import { Action, ActionLink, ErrorBox, KeyValues, Loading, Pager } from '../ui/widgets.js';

const zoneOf = (s: Schedule) => s.timeZone ?? 'UTC';
const cronTitle = (cron: string) => {
  const explained = explainCron(cron);
  return explained.ok ? explained.text : undefined;
};

function SuspendToggle({ s, onDone }: { s: Schedule; onDone: () => void }) {
  const path = `/tasks/schedules/${encodeURIComponent(s.name)}`;
  return s.suspend ? (
    <Action needs="SCHEDULE" label="Resume" run={() => api('POST', `${path}/resume`)} onDone={onDone} />
  ) : (
    <Action needs="SCHEDULE" label="Suspend" run={() => api('POST', `${path}/suspend`)} onDone={onDone} />
  );
}

function NextFire({ s }: { s: ScheduleListItem }) {
  if (s.suspend) return <span>⏸ suspended</span>;
  return <>{s.nextFireTime ? formatTime(s.nextFireTime, zoneOf(s)) : '—'}</>;
}

export function SchedulesList({ loc }: PageProps) {
  useTitle('Schedules');
  const q = (k: string) => loc.query.get(k) ?? undefined;
  const page = useApi<Page<ScheduleListItem>>(
    withQuery('/tasks/schedules', {
      taskDefinitionName: q('task'),
      size: q('size') ?? 20,
      cursor: q('cursor'),
    }),
  );
  return (
    <>
      <h1>Schedules</h1>
      <div class="toolbar">
        <ActionLink needs="SCHEDULE" kind="primary" href="/ui/schedules/new" label="New schedule" />
      </div>
      <Filters loc={loc} specs={[{ key: 'task', label: 'Task definition', type: 'text' }]} />
      <ErrorBox error={page.error} />
      {!page.data ? (
        <Loading what="schedules" />
      ) : page.data.items.length === 0 ? (
        <p class="muted">No schedules.</p>
      ) : (
        <table>
          <caption class="sr-only">Schedules</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Task</th>
              <th scope="col">Cron</th>
              <th scope="col">Zone</th>
              <th scope="col">Next fire (its zone)</th>
              <th scope="col">Last fire</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((s) => (
              <tr key={s.name} data-schedule={s.name}>
                <td>
                  <a href={`/ui/schedules/${encodeURIComponent(s.name)}`}>{s.name}</a>
                </td>
                <td>
                  <a href={`/ui/definitions/${encodeURIComponent(s.taskDefinitionName)}`}>
                    {s.taskDefinitionName}
                  </a>
                </td>
                <td title={cronTitle(s.cron)}>
                  <code>{s.cron}</code>
                </td>
                <td>{zoneOf(s)}</td>
                <td>
                  <NextFire s={s} />
                </td>
                <td>{formatTime(s.lastFireTime, zoneOf(s))}</td>
                <td>
                  <SuspendToggle s={s} onDone={() => page.reload()} />
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

export function ScheduleDetailPage({ params }: PageProps) {
  const name = params.name!;
  useTitle(`Schedule ${name}`);
  const path = `/tasks/schedules/${encodeURIComponent(name)}`;
  const d = useApi<ScheduleDetail>(path);
  useLive(['executions'], () => d.reload());
  if (d.error) return <ErrorBox error={d.error} />;
  if (!d.data) return <Loading what={`schedule ${name}`} />;
  const s = d.data;
  const explained = explainCron(s.cron);
  return (
    <>
      <h1>Schedule {s.name}</h1>
      <p class="big-status">{s.suspend ? '⏸ Suspended' : '▶ Active'}</p>
      <div class="toolbar">
        <SuspendToggle s={s} onDone={() => d.reload()} />
        <ActionLink needs="SCHEDULE" href={`${path.replace('/tasks', '/ui')}/edit`} label="Edit" />
        <Action
          needs="DEPLOY"
          label="Run now"
          run={async () => {
            const e = await launchWith<TaskExecution>(newLaunchKey(), '/tasks/executions', {
              name: s.taskDefinitionName,
              arguments: s.arguments,
              properties: s.properties,
              platform: s.platformName,
            });
            navigate(`/ui/executions/${e.id}`);
          }}
        />
        <Action
          needs="SCHEDULE"
          label="Delete"
          kind="danger"
          confirm={`Delete schedule ${name}?`}
          run={() => api('DELETE', path)}
          onDone={() => navigate('/ui/schedules')}
        />
      </div>
      <dl class="kv">
        <div>
          <dt>Task</dt>
          <dd>
            <a href={`/ui/definitions/${encodeURIComponent(s.taskDefinitionName)}`}>{s.taskDefinitionName}</a>
          </dd>
        </div>
        <div>
          <dt>Cron</dt>
          <dd>
            <code>{s.cron}</code> — {explained.ok ? explained.text : explained.error} ({zoneOf(s)})
          </dd>
        </div>
        <div>
          <dt>Platform</dt>
          <dd>
            {s.platformName} {s.externalName ? <code>{s.externalName}</code> : null}
          </dd>
        </div>
        <div>
          <dt>Concurrency</dt>
          <dd>{s.concurrencyPolicy}</dd>
        </div>
        <div>
          <dt>Last fire</dt>
          <dd>{formatTime(s.lastScheduleTime ?? s.lastFireTime, zoneOf(s))}</dd>
        </div>
      </dl>
      <h2>Next fire times ({zoneOf(s)})</h2>
      <ol class="fires">
        {s.nextFireTimes.map((t) => (
          <li key={t}>
            <time dateTime={t}>{formatTime(t, zoneOf(s))}</time>
          </li>
        ))}
      </ol>
      <h2>Arguments and properties</h2>
      {s.arguments.length ? <pre>{s.arguments.join('\n')}</pre> : <p class="muted">No arguments.</p>}
      <KeyValues values={s.properties} empty="No properties." />
      <h2>Last runs</h2>
      {s.recentExecutions.length === 0 ? (
        <p class="muted">Not run yet.</p>
      ) : (
        <table>
          <caption class="sr-only">Recent runs of {s.name}</caption>
          <thead>
            <tr>
              <th scope="col">Execution</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Exit code</th>
            </tr>
          </thead>
          <tbody>
            {s.recentExecutions.map((e) => (
              <tr key={e.id}>
                <td>
                  <a href={`/ui/executions/${e.id}`}>#{e.id}</a>
                </td>
                <td>
                  <Status status={e.status} />
                </td>
                <td>{formatTime(e.startTime ?? e.createdAt, zoneOf(s))}</td>
                <td>{formatDuration(durationBetween(e.startTime, e.endTime))}</td>
                <td>{e.exitCode ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
