import { useContext, useState } from 'preact/hooks';
import { ApiFailure, api } from '../api.js';
import { CallerContext } from '../context.js';
import { navigate } from '../router.js';
import type { PageProps } from '../routes.js';
import type { ScheduleDetail } from '../types.js';
import { explainCron } from '../ui/cron.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { formatProperties, parseArguments, parseProperties } from '../ui/lines.js';
import { Action, ErrorBox, Field, Loading } from '../ui/widgets.js';

function Form({ existing, task }: { existing?: ScheduleDetail; task?: string }) {
  const caller = useContext(CallerContext);
  const [name, setName] = useState(existing?.name ?? '');
  const [definition, setDefinition] = useState(existing?.taskDefinitionName ?? task ?? '');
  const [cron, setCron] = useState(existing?.cron ?? '0 2 * * *');
  const [zone, setZone] = useState(existing?.timeZone ?? '');
  const [args, setArgs] = useState(existing?.arguments.join('\n') ?? '');
  const [props, setProps] = useState(existing ? formatProperties(existing.properties) : '');
  const [platform, setPlatform] = useState(existing?.platformName ?? caller?.about?.platforms[0]?.name ?? '');
  const [error, setError] = useState<unknown>();
  const explained = explainCron(cron);
  const field = (p: string) => (error instanceof ApiFailure ? error.field(p) : undefined);
  const save = async () => {
    setError(undefined);
    const body = {
      taskDefinitionName: definition,
      cron,
      timeZone: zone || null,
      arguments: parseArguments(args),
      properties: parseProperties(props).properties,
    };
    try {
      if (existing) await api('PATCH', `/tasks/schedules/${encodeURIComponent(existing.name)}`, body);
      else
        await api('POST', '/tasks/schedules', {
          scheduleName: name,
          ...body,
          ...(platform ? { platform } : {}),
        });
      navigate(`/ui/schedules/${encodeURIComponent(existing?.name ?? name)}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="form" onSubmit={(e) => e.preventDefault()}>
      {!existing && (
        <Field id="sch-name" label="Schedule name" error={field('body.scheduleName')}>
          <input id="sch-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
      )}
      <Field id="sch-task" label="Task definition" error={field('body.taskDefinitionName')}>
        <input id="sch-task" value={definition} onInput={(e) => setDefinition(e.currentTarget.value)} />
      </Field>
      <Field
        id="sch-cron"
        label="Cron (minute hour day-of-month month day-of-week)"
        error={field('body.cron')}
      >
        <input
          id="sch-cron"
          value={cron}
          onInput={(e) => setCron(e.currentTarget.value)}
          aria-describedby="cron-explained"
        />
      </Field>
      <p id="cron-explained" class={explained.ok ? 'cron-ok' : 'field-error'} aria-live="polite">
        {explained.ok ? `✔ ${explained.text}` : `✖ ${explained.error}`}
      </p>
      <Field
        id="sch-zone"
        label="Time zone (IANA, empty = UTC)"
        error={field('body.timeZone')}
        hint="e.g. Europe/Paris"
      >
        <input id="sch-zone" value={zone} onInput={(e) => setZone(e.currentTarget.value)} />
      </Field>
      <Field id="sch-args" label="Arguments (one per line)" error={field('body.arguments')}>
        <textarea id="sch-args" rows={3} value={args} onInput={(e) => setArgs(e.currentTarget.value)} />
      </Field>
      <Field id="sch-props" label="Properties (key=value per line)" error={field('body.properties')}>
        <textarea id="sch-props" rows={3} value={props} onInput={(e) => setProps(e.currentTarget.value)} />
      </Field>
      {!existing && (
        <Field id="sch-platform" label="Platform account" error={field('body.platform')}>
          <select id="sch-platform" value={platform} onChange={(e) => setPlatform(e.currentTarget.value)}>
            {(caller?.about?.platforms ?? []).map((p) => (
              <option key={p.name} value={p.name}>
                {p.name} ({p.type})
              </option>
            ))}
          </select>
        </Field>
      )}
      {error instanceof ApiFailure && error.details.length === 0 && <ErrorBox error={error} />}
      {error instanceof ApiFailure && error.details.some((d) => !d.path.startsWith('body.')) && (
        <ErrorBox error={error} />
      )}
      <Action
        needs="SCHEDULE"
        label={existing ? 'Save schedule' : 'Create schedule'}
        kind="primary"
        run={save}
      />
    </form>
  );
}

export function ScheduleEditor({ params, loc }: PageProps) {
  const name = params.name;
  useTitle(name ? `Edit schedule ${name}` : 'New schedule');
  const existing = useApi<ScheduleDetail>(name ? `/tasks/schedules/${encodeURIComponent(name)}` : undefined);
  return (
    <>
      <h1>{name ? `Edit schedule ${name}` : 'New schedule'}</h1>
      {name && existing.error ? (
        <ErrorBox error={existing.error} />
      ) : name && !existing.data ? (
        <Loading what="the schedule" />
      ) : (
        <Form existing={existing.data} task={loc.query.get('task') ?? undefined} />
      )}
    </>
  );
}
