import { useContext, useRef, useState } from 'preact/hooks';
import { ApiFailure, launchWith, newLaunchKey } from '../api.js';
import { CallerContext } from '../context.js';
import { navigate } from '../router.js';
import type { PageProps } from '../routes.js';
import { refusal } from '../session.js';
import type { TaskDefinition, TaskExecution } from '../types.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { PreviewPanel, useLaunchPreview } from '../ui/launch-preview.js';
import { parseArguments, parseProperties } from '../ui/lines.js';
import { Action, ErrorBox, Field, Loading } from '../ui/widgets.js';

/** Field errors of a launch: the API names `body.arguments.N`, `body.properties.KEY`, `body.platform`. */
function fieldErrors(error: unknown): { args?: string; props?: string; platform?: string } {
  if (!(error instanceof ApiFailure)) return {};
  const join = (prefix: string) =>
    error.details
      .filter((d) => d.path === prefix || d.path.startsWith(`${prefix}.`))
      .map((d) => `${d.path.slice(prefix.length + 1) || prefix}: ${d.message}`)
      .join('; ') || undefined;
  return { args: join('body.arguments'), props: join('body.properties'), platform: join('body.platform') };
}

export function LaunchPage({ params, loc }: PageProps) {
  const name = params.name!;
  useTitle(`Launch ${name}`);
  const caller = useContext(CallerContext);
  const def = useApi<TaskDefinition>(`/tasks/definitions/${encodeURIComponent(name)}`);
  const [args, setArgs] = useState(loc.query.get('args') ?? '');
  const [props, setProps] = useState(loc.query.get('props') ?? '');
  const platforms = caller?.about?.platforms ?? [];
  const [platform, setPlatform] = useState(platforms[0]?.name ?? '');
  // The last launch's refusal, until the form is edited; then the preview's answer is the newer one.
  const [error, setError] = useState<unknown>();
  const edited = (set: (v: string) => void) => (v: string) => {
    setError(undefined);
    set(v);
  };
  const parsedProps = parseProperties(props);
  const body = {
    name,
    arguments: parseArguments(args),
    properties: parsedProps.properties,
    ...(platform ? { platform } : {}),
  };
  const notAllowed = caller ? refusal(caller, 'DEPLOY') : 'Loading who you are';
  const previewBlocked =
    notAllowed ?? (parsedProps.badLines.length ? 'Fix the properties first.' : undefined);
  const preview = useLaunchPreview(previewBlocked || !def.data ? undefined : body);
  const shown = error ?? (preview.pending ? undefined : preview.failure);
  const errors = fieldErrors(shown);
  // One key per intended launch: kept while the request is the same (a second click, a retry after
  // a lost answer get the first execution back), a new one once the form changes.
  const launchKey = useRef<{ body: string; key: string } | undefined>(undefined);
  const launch = async () => {
    setError(undefined);
    const json = JSON.stringify(body);
    if (launchKey.current?.body !== json) launchKey.current = { body: json, key: newLaunchKey() };
    try {
      const e = await launchWith<TaskExecution>(launchKey.current.key, '/tasks/executions', body);
      navigate(`/ui/executions/${e.id}`);
    } catch (err) {
      setError(err);
    }
  };
  if (def.error) return <ErrorBox error={def.error} />;
  if (!def.data) return <Loading what={`task ${name}`} />;
  return (
    <>
      <h1>Launch {name}</h1>
      <p>
        <code class="dsl">{def.data.definition}</code>
      </p>
      <form class="form" onSubmit={(e) => e.preventDefault()}>
        <Field
          id="launch-args"
          label="Arguments (one per line)"
          error={errors.args}
          hint="e.g. --date=2026-01-01"
        >
          <textarea
            id="launch-args"
            rows={4}
            value={args}
            onInput={(e) => edited(setArgs)(e.currentTarget.value)}
            aria-invalid={!!errors.args}
          />
        </Field>
        <Field
          id="launch-props"
          label="Properties (key=value, one per line)"
          hint="app.<app>.<key>, deployer.<app>.kubernetes.limits.memory=512Mi, version.<app>=1.2"
          error={
            errors.props ??
            (parsedProps.badLines.length
              ? `line ${parsedProps.badLines.join(', ')}: expected key=value`
              : undefined)
          }
        >
          <textarea
            id="launch-props"
            rows={5}
            value={props}
            onInput={(e) => edited(setProps)(e.currentTarget.value)}
            aria-invalid={!!errors.props}
          />
        </Field>
        <Field id="launch-platform" label="Platform account" error={errors.platform}>
          <select
            id="launch-platform"
            value={platform}
            onChange={(e) => edited(setPlatform)(e.currentTarget.value)}
          >
            {platforms.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name} ({p.type})
              </option>
            ))}
          </select>
        </Field>
        {error !== undefined && !errors.args && !errors.props && !errors.platform && (
          <ErrorBox error={error} />
        )}
        <Action
          needs="DEPLOY"
          label="Launch"
          kind="primary"
          disabledReason={parsedProps.badLines.length ? 'Fix the properties first' : undefined}
          run={launch}
        />
      </form>
      <PreviewPanel
        state={preview}
        unavailable={previewBlocked}
        fieldErrorShown={!!(errors.args || errors.props || errors.platform)}
      />
    </>
  );
}
