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

export async function loadCaller(): Promise<Caller> {
  const about = await get<About>('/about');
  let session: Session | undefined;
  if (about.security.authenticationEnabled && about.caller.kind === 'session') {
    session = await get<Session>('/auth/session');
    setCsrfToken(session.csrfToken);
  }
  return {
    about,
    roles: new Set(session?.roles ?? about.caller.roles),
    principal: session?.principal ?? about.caller.name,
    authenticationEnabled: about.security.authenticationEnabled,
    session: session !== undefined,
  };
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
}
