import { useEffect, useState } from 'preact/hooks';
import { setUnauthenticatedHandler } from './api.js';
import { CallerContext } from './context.js';
import { match, useLocation } from './router.js';
import { NEEDS_CALLER, routes } from './routes.js';
import { type Caller, cachedCaller, forgetCaller, loadCaller, signOut } from './session.js';
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

// Asked as the bundle starts, not after the first render and its effects: beside the page's own calls.
let firstCaller: Promise<Caller> | undefined = loadCaller();

export function App() {
  const loc = useLocation();
  // The tab's kept /about when there is one (no wait); /about is asked again either way.
  const [caller, setCaller] = useState<Caller | undefined>(cachedCaller);
  const [error, setError] = useState<unknown>();
  const [loginNeeded, setLoginNeeded] = useState(false);
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      forgetCaller();
      setLoginNeeded(true);
    });
    (firstCaller ?? loadCaller()).then(setCaller, setError);
    firstCaller = undefined;
  }, []);
  if (loginNeeded) return <Login />;
  const active = (href: string) => (href === '/' ? loc.path === '/' : loc.path.startsWith(href));
  const loading = <Loading what="the dashboard" />;
  let page = loading;
  if (error && !caller) page = <ErrorBox error={error} />;
  else {
    for (const [pattern, Page] of routes) {
      const params = match(pattern, loc.path === '/ui' ? '/' : loc.path);
      if (!params) continue;
      // Rendered (hidden) before /about answers, so the page's own calls run beside it; shown
      // once the caller's roles are known. The wrapper stays, so the page is not mounted twice.
      if (caller || !NEEDS_CALLER.has(Page)) {
        page = (
          <>
            <div class="page" hidden={!caller}>
              <Page params={params} loc={loc} />
            </div>
            {!caller && loading}
          </>
        );
      }
      break;
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
