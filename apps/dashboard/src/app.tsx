import { useEffect, useState } from 'preact/hooks';
import { setUnauthenticatedHandler } from './api.js';
import { CallerContext } from './context.js';
import { match, useLocation } from './router.js';
import { routes } from './routes.js';
import { type Caller, loadCaller, signOut } from './session.js';
import { ErrorBox, Loading } from './ui/widgets.js';

const NAV: [string, string][] = [
  ['/', 'Overview'],
  ['/ui/definitions', 'Tasks'],
  ['/ui/executions', 'Executions'],
  ['/ui/jobs', 'Jobs'],
  ['/ui/schedules', 'Schedules'],
  ['/ui/apps', 'Apps'],
  ['/ui/audit', 'Audit'],
  ['/ui/about', 'About'],
];

function Login() {
  const returnTo = window.location.pathname + window.location.search;
  return (
    <main id="main" class="login">
      <h1>Sign in to Batchyard</h1>
      <p>This server requires authentication.</p>
      <a class="button primary" href={`/auth/login?returnTo=${encodeURIComponent(returnTo)}`}>
        Sign in with your identity provider
      </a>
    </main>
  );
}

export function App() {
  const loc = useLocation();
  const [caller, setCaller] = useState<Caller>();
  const [error, setError] = useState<unknown>();
  const [loginNeeded, setLoginNeeded] = useState(false);
  useEffect(() => {
    setUnauthenticatedHandler(() => setLoginNeeded(true));
    loadCaller().then(setCaller, setError);
  }, []);
  if (loginNeeded) return <Login />;
  const active = (href: string) => (href === '/' ? loc.path === '/' : loc.path.startsWith(href));
  let page = <Loading what="the dashboard" />;
  if (error) page = <ErrorBox error={error} />;
  else if (caller) {
    for (const [pattern, Page] of routes) {
      const params = match(pattern, loc.path === '/ui' ? '/' : loc.path);
      if (params) {
        page = <Page params={params} loc={loc} />;
        break;
      }
    }
  }
  return (
    <CallerContext.Provider value={caller}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          Batchyard
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={active(href) ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {caller && (
          <span class="who" title={`Roles: ${[...caller.roles].join(', ')}`}>
            {caller.principal}
          </span>
        )}
        {caller?.session && (
          <button
            type="button"
            class="sign-out"
            onClick={() => void signOut().then(() => setLoginNeeded(true))}
          >
            Sign out
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </CallerContext.Provider>
  );
}
