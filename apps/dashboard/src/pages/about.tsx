import { useContext } from 'preact/hooks';
import { CallerContext } from '../context.js';
import type { PageProps } from '../routes.js';
import { useTitle } from '../ui/hooks.js';
import { Loading } from '../ui/widgets.js';

export function AboutPage(_: PageProps) {
  useTitle('About');
  const caller = useContext(CallerContext);
  const about = caller?.about;
  if (!about) return <Loading what="server information" />;
  return (
    <>
      <h1>About</h1>
      <dl class="kv">
        <div>
          <dt>Server</dt>
          <dd>
            {about.name} {about.version}
          </dd>
        </div>
        <div>
          <dt>Database</dt>
          <dd>{about.database.embedded ? 'embedded PostgreSQL' : 'external PostgreSQL'}</dd>
        </div>
        <div>
          <dt>Authentication</dt>
          <dd>
            {about.security.authenticationEnabled
              ? `on (${about.security.methods.join(', ')})`
              : 'off (loopback only)'}
          </dd>
        </div>
        <div>
          <dt>You</dt>
          <dd>
            {caller.principal} ({about.caller.kind})
          </dd>
        </div>
        <div>
          <dt>Your roles</dt>
          <dd data-roles>{[...caller.roles].join(', ') || 'none'}</dd>
        </div>
      </dl>
      <h2>Platform accounts</h2>
      <ul>
        {about.platforms.map((p) => (
          <li key={p.name}>
            {p.name} ({p.type})
          </li>
        ))}
      </ul>
      <h2>Features</h2>
      <ul>
        {Object.entries(about.features).map(([k, v]) => (
          <li key={k}>
            {v ? '✔' : '✖'} {k}
          </li>
        ))}
      </ul>
      <p>
        <a href="/docs">API explorer</a> · <a href="/openapi.json">OpenAPI document</a>
      </p>
    </>
  );
}
