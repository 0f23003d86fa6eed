import { useState } from 'preact/hooks';
import { ApiFailure, api, withQuery } from '../api.js';
import { navigate, withParams } from '../router.js';
import type { PageProps } from '../routes.js';
import type { AppRegistration, Page } from '../types.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { Action, ErrorBox, Field, Loading, Pager } from '../ui/widgets.js';

const appPath = (a: { type: string; name: string }, version?: string) =>
  `/apps/${a.type}/${encodeURIComponent(a.name)}${version ? `/${encodeURIComponent(version)}` : ''}`;

function Register({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [version, setVersion] = useState('1.0.0');
  const [uri, setUri] = useState('');
  const [error, setError] = useState<unknown>();
  const field = (p: string) => (error instanceof ApiFailure ? error.field(p) : undefined);
  return (
    <form class="form inline" aria-label="Register an app" onSubmit={(e) => e.preventDefault()}>
      <h2>Register an app</h2>
      <Field id="app-name" label="Name" error={field('params.name')}>
        <input id="app-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <Field id="app-version" label="Version" error={field('params.version')}>
        <input id="app-version" value={version} onInput={(e) => setVersion(e.currentTarget.value)} />
      </Field>
      <Field id="app-uri" label="URI" hint="docker:repo/image:tag" error={field('body.uri')}>
        <input id="app-uri" value={uri} onInput={(e) => setUri(e.currentTarget.value)} />
      </Field>
      {error instanceof ApiFailure && !error.details.length && <ErrorBox error={error} />}
      <Action
        needs="CREATE"
        label="Register"
        kind="primary"
        run={async () => {
          setError(undefined);
          try {
            await api('POST', `/apps/task/${encodeURIComponent(name)}/${encodeURIComponent(version)}`, {
              uri,
            });
            onDone();
          } catch (err) {
            setError(err);
          }
        }}
      />
    </form>
  );
}

function Import({ onDone }: { onDone: () => void }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<string>();
  return (
    <form class="form inline" aria-label="Import apps" onSubmit={(e) => e.preventDefault()}>
      <h2>Import (SCDF properties)</h2>
      <Field id="app-import" label="Properties" hint="task.name=docker:image:tag, one per line">
        <textarea id="app-import" rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </Field>
      <Action
        needs="CREATE"
        label="Import"
        run={async () => {
          const r = await api<{ registered: unknown[]; skipped: unknown[] }>('POST', '/apps/import', {
            properties: text,
          });
          setResult(`${r.registered.length} registered, ${r.skipped.length} skipped`);
          onDone();
        }}
      />
      {result && <p role="status">{result}</p>}
    </form>
  );
}

export function AppsPage({ loc }: PageProps) {
  useTitle('Apps');
  const search = loc.query.get('search') ?? '';
  const [text, setText] = useState(search);
  const page = useApi<Page<AppRegistration>>(
    withQuery('/apps', { search, size: loc.query.get('size') ?? 50, cursor: loc.query.get('cursor') }),
  );
  return (
    <>
      <h1>Apps</h1>
      <form
        aria-label="Search apps"
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(withParams(loc, { search: text }));
        }}
      >
        <label for="app-search">Name contains</label>
        <input id="app-search" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={page.error} />
      {!page.data ? (
        <Loading what="apps" />
      ) : page.data.items.length === 0 ? (
        <p class="muted">No apps registered.</p>
      ) : (
        <table>
          <caption class="sr-only">Registered apps and versions</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">URI</th>
              <th scope="col">Default</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((a) => (
              <tr key={`${a.type}/${a.name}/${a.version}`} data-app={a.name}>
                <td>{a.type}</td>
                <td>{a.name}</td>
                <td>{a.version}</td>
                <td>
                  <code>{a.uri}</code>
                  {a.command && <small class="muted"> (local command)</small>}
                </td>
                <td>{a.defaultVersion ? '★ default' : ''}</td>
                <td>
                  {!a.defaultVersion && (
                    <Action
                      needs="MODIFY"
                      label="Make default"
                      run={() => api('PUT', appPath(a, a.version))}
                      onDone={() => page.reload()}
                    />
                  )}
                  <Action
                    needs="DESTROY"
                    label="Unregister"
                    kind="danger"
                    confirm={`Unregister ${a.name} ${a.version}?`}
                    run={() => api('DELETE', appPath(a, a.version))}
                    onDone={() => page.reload()}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager loc={loc} next={page.data?.page.next} />
      <div class="two">
        <Register onDone={() => page.reload()} />
        <Import onDone={() => page.reload()} />
      </div>
    </>
  );
}
