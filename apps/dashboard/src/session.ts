import { api, get, setCsrfToken } from './api.js';
import type { About } from './types.js';

/** Who is using the dashboard and what they may do: /about (and /auth/session when logged in). */
export interface Caller {
  about: About | undefined;
  roles: ReadonlySet<string>;
  principal: string;
  authenticationEnabled: boolean;
  /** Signed in through the dashboard login (a session cookie that "Sign out" ends). */
  session: boolean;
}

interface Session {
  principal: string;
  roles: string[];
  csrfToken: string;
}

/** /about, kept for the browser tab's session so a new page does not wait for it (refreshed behind). */
const ABOUT_KEY = 'batchyard.about';

function callerOf(about: About, session?: Session): Caller {
  return {
    about,
    roles: new Set(session?.roles ?? about.caller.roles),
    principal: session?.principal ?? about.caller.name,
    authenticationEnabled: about.security.authenticationEnabled,
    session: session !== undefined,
  };
}

/**
 * The caller as the last /about of this tab said, when that is all it takes: not for a dashboard
 * session, whose roles and CSRF token come from /auth/session.
 */
export function cachedCaller(): Caller | undefined {
  try {
    const text = sessionStorage.getItem(ABOUT_KEY);
    const about = text ? (JSON.parse(text) as About) : undefined;
    return about && about.caller.kind !== 'session' ? callerOf(about) : undefined;
  } catch {
    return undefined; // storage disabled or an old shape: ask the server
  }
}

export async function loadCaller(): Promise<Caller> {
  const about = await get<About>('/about');
  try {
    sessionStorage.setItem(ABOUT_KEY, JSON.stringify(about));
  } catch {
    // storage disabled: every page asks /about
  }
  let session: Session | undefined;
  if (about.security.authenticationEnabled && about.caller.kind === 'session') {
    session = await get<Session>('/auth/session');
    setCsrfToken(session.csrfToken);
  }
  return callerOf(about, session);
}

/** Why an action is not allowed, or undefined when it is. */
export function refusal(caller: Caller, role: string): string | undefined {
  return caller.roles.has(role)
    ? undefined
    : `Needs the ${role} role (you have: ${[...caller.roles].join(', ') || 'none'})`;
}

/** Ends the dashboard session; the next page shows the login. */
export async function signOut(): Promise<void> {
  await api('POST', '/auth/logout');
  setCsrfToken(undefined);
  forgetCaller();
}

/** Drops the kept /about (signed out, or a 401: who the caller is has changed). */
export function forgetCaller(): void {
  try {
    sessionStorage.removeItem(ABOUT_KEY);
  } catch {
    // storage disabled: nothing kept
  }
}
