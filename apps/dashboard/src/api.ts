import type { ErrorBody } from './types.js';

/** An API refusal as the dashboard shows it: the code, the message and each field's problem. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
  /** The message for one field (`body.arguments.0`), if the API named it. */
  field(path: string): string | undefined {
    return this.details.find((d) => d.path === path || d.path.startsWith(`${path}.`))?.message;
  }
}

type Unauthenticated = () => void;
let csrfToken: string | undefined;
/** A 401 that came before the app set its handler (/about is asked as the bundle starts). */
let unauthenticatedEarly = false;
let onUnauthenticated: Unauthenticated = () => {
  unauthenticatedEarly = true;
};

/** A dashboard session's CSRF token: sent on every state-changing request once known. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}
export function setUnauthenticatedHandler(handler: Unauthenticated): void {
  onUnauthenticated = handler;
  if (unauthenticatedEarly) {
    unauthenticatedEarly = false;
    handler();
  }
}

function headers(method: string, body: unknown): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (csrfToken && method !== 'GET' && method !== 'HEAD') h['x-csrf-token'] = csrfToken;
  return h;
}

async function failure(res: Response): Promise<ApiFailure> {
  let body: Partial<ErrorBody> = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // not JSON: the status line says enough
  }
  return new ApiFailure(
    res.status,
    body.error ?? `HTTP_${res.status}`,
    body.message ?? res.statusText,
    body.details,
  );
}

/** Calls the REST API (same origin, session cookie included); 401 sends the user to the login page. */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { ...headers(method, body), ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (res.status === 401 && !path.startsWith('/auth/session')) onUnauthenticated();
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const get = <T>(path: string): Promise<T> => api<T>('GET', path);

/**
 * A launch (POST /tasks/executions, relaunch, restart) with an Idempotency-Key: the same key sent
 * again — a retry after a lost answer, a second click — returns the first execution, never a second.
 */
export const launchWith = <T>(key: string, path: string, body?: unknown): Promise<T> =>
  api<T>('POST', path, body, { 'idempotency-key': key });

/**
 * A fresh Idempotency-Key for one intended launch: 128 random bits. (getRandomValues, not
 * randomUUID: the dashboard may be served over plain http inside a cluster, not a secure context.)
 */
export const newLaunchKey = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/** `path?k=v` without the empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Streams a text response chunk by chunk (the logs `follow` stream). */
export async function streamText(
  path: string,
  onChunk: (text: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(path, { headers: { accept: 'text/plain' }, credentials: 'same-origin', signal });
  if (res.status === 401) onUnauthenticated();
  if (!res.ok || !res.body) throw await failure(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onChunk(decoder.decode(value, { stream: true }));
  }
}
