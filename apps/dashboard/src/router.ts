import { useEffect, useState } from 'preact/hooks';

/** The dashboard's URL: every page, filter and page cursor lives here, so a link can be shared. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();
const current = (): Location => ({
  path: window.location.pathname,
  query: new URLSearchParams(window.location.search),
});

export function navigate(url: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const l of listeners) l();
  if (!replace) window.scrollTo(0, 0);
}

/** Same-origin link clicks become history pushes (modifier clicks keep the browser's behaviour). */
export function interceptLinks(): void {
  window.addEventListener('popstate', () => {
    for (const l of listeners) l();
  });
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    // HTML and SVG links alike (an SVG <a>'s href is not a string property: read the attribute).
    const a = (e.target as Element | null)?.closest?.('a');
    const href = a?.getAttribute('href');
    if (!a || !href || a.getAttribute('target') || a.hasAttribute('download')) return;
    const url = new URL(href, window.location.href);
    if (url.origin !== window.location.origin || !isDashboardPath(url.pathname)) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}

export const isDashboardPath = (p: string): boolean => p === '/' || p === '/ui' || p.startsWith('/ui/');

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = () => setLoc(current());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return loc;
}

/** Matches `/ui/jobs/:id/steps/:stepId` against a path; the params decoded. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  if (pattern.endsWith('/*')) return path.startsWith(pattern.slice(0, -1)) ? {} : undefined;
  const p = pattern.split('/');
  const s = (path.replace(/\/+$/, '') || '/').split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) params[p[i]!.slice(1)] = decodeURIComponent(s[i]!);
    else if (p[i] !== s[i]) return undefined;
  }
  return params;
}

/** The current URL with some query values replaced (undefined/'' removes; a filter change resets the cursor). */
export function withParams(loc: Location, changes: Record<string, string | undefined>): string {
  const q = new URLSearchParams(loc.query);
  if (!('cursor' in changes)) q.delete('cursor');
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  return s ? `${loc.path}?${s}` : loc.path;
}
