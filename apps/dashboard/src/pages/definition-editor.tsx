import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, api } from '../api.js';
import { navigate } from '../router.js';
import type { PageProps } from '../routes.js';
import type { ParseTaskTextResponse, TaskDefinition } from '../types.js';
import { TaskGraph } from '../ui/graph.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { Action, ErrorBox, Field, Loading } from '../ui/widgets.js';

type Problem = ParseTaskTextResponse['errors'][number];

/** The line of `text` a problem is on, with a caret under its column. */
function ProblemAt({ text, problem }: { text: string; problem: Problem }) {
  const line = text.split('\n')[problem.line - 1] ?? '';
  return (
    <li>
      <span class="problem-pos">
        Line {problem.line}, column {problem.column}:
      </span>{' '}
      {problem.message}
      <pre class="caret" aria-hidden="true">
        {line}
        {'\n'}
        {' '.repeat(Math.max(0, problem.column - 1))}^
      </pre>
    </li>
  );
}

/** Parses the DSL as the user types (300 ms after the last key), through the server's parser. */
function useLiveParse(dsl: string): { parsed?: ParseTaskTextResponse; failure?: unknown } {
  const [state, setState] = useState<{ parsed?: ParseTaskTextResponse; failure?: unknown }>({});
  useEffect(() => {
    if (!dsl.trim()) {
      setState({});
      return;
    }
    let live = true;
    const t = window.setTimeout(() => {
      api<ParseTaskTextResponse>('POST', '/tools/parseTaskTextToGraph', { dsl }).then(
        (parsed) => live && setState({ parsed }),
        (failure: unknown) => live && setState({ failure }),
      );
    }, 300);
    return () => {
      live = false;
      window.clearTimeout(t);
    };
  }, [dsl]);
  return state;
}

function Editor({ existing }: { existing?: TaskDefinition }) {
  const [name, setName] = useState(existing?.name ?? '');
  const [dsl, setDsl] = useState(existing?.definition ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [saveError, setSaveError] = useState<unknown>();
  const { parsed, failure } = useLiveParse(dsl);
  const problems = parsed?.errors ?? [];
  const fieldError = (p: string) => (saveError instanceof ApiFailure ? saveError.field(p) : undefined);
  const save = async () => {
    setSaveError(undefined);
    try {
      if (existing) {
        await api('PUT', `/tasks/definitions/${encodeURIComponent(existing.name)}`, {
          definition: dsl,
          description: description || null,
        });
      } else {
        await api('POST', '/tasks/definitions', {
          name,
          definition: dsl,
          ...(description ? { description } : {}),
        });
      }
      navigate(`/ui/definitions/${encodeURIComponent(existing?.name ?? name)}`);
    } catch (err) {
      setSaveError(err);
    }
  };
  return (
    <form class="editor" onSubmit={(e) => e.preventDefault()}>
      <div class="editor-text">
        {!existing && (
          <Field id="def-name" label="Name" error={fieldError('body.name')}>
            <input
              id="def-name"
              value={name}
              required
              onInput={(e) => setName(e.currentTarget.value)}
              aria-invalid={!!fieldError('body.name')}
            />
          </Field>
        )}
        <Field
          id="def-dsl"
          label="Definition (task DSL)"
          hint="e.g. etl --chunkSize=500, or a composed task: extract && <clean || enrich> && load"
          error={fieldError('body.definition')}
        >
          <textarea
            id="def-dsl"
            rows={8}
            spellcheck={false}
            value={dsl}
            aria-invalid={problems.length > 0}
            aria-describedby="dsl-problems"
            onInput={(e) => setDsl(e.currentTarget.value)}
          />
        </Field>
        <div id="dsl-problems" aria-live="polite">
          {problems.length > 0 && (
            <ul class="problems" aria-label="Problems in the definition">
              {problems.map((p) => (
                <ProblemAt key={`${p.position}-${p.message}`} text={dsl} problem={p} />
              ))}
            </ul>
          )}
          {failure !== undefined && <ErrorBox error={failure} />}
        </div>
        <Field id="def-description" label="Description" error={fieldError('body.description')}>
          <input
            id="def-description"
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </Field>
        <ErrorBox error={saveError} />
        <Action
          needs={existing ? 'MODIFY' : 'CREATE'}
          label={existing ? 'Save changes' : 'Create definition'}
          kind="primary"
          disabledReason={problems.length > 0 ? 'Fix the problems in the definition first' : undefined}
          run={save}
        />
      </div>
      <section class="editor-graph" aria-label="Graph preview">
        <h2>Graph</h2>
        {parsed?.graph ? (
          <TaskGraph graph={parsed.graph} title="Graph of the definition as typed" />
        ) : (
          <p class="muted">The graph appears here once the definition parses.</p>
        )}
      </section>
    </form>
  );
}

export function DefinitionEditor({ params }: PageProps) {
  const name = params.name;
  useTitle(name ? `Edit ${name}` : 'New task definition');
  const existing = useApi<TaskDefinition>(
    name ? `/tasks/definitions/${encodeURIComponent(name)}` : undefined,
  );
  return (
    <>
      <h1>{name ? `Edit ${name}` : 'New task definition'}</h1>
      {name && existing.error ? (
        <ErrorBox error={existing.error} />
      ) : name && !existing.data ? (
        <Loading what="the definition" />
      ) : (
        <Editor existing={existing.data} key={name ?? 'new'} />
      )}
    </>
  );
}
