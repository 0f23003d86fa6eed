import { isIP } from 'node:net';

/**
 * Pure checks on request headers, before any credential is looked at.
 *
 * DNS rebinding: a page on evil.example re-points its name at 127.0.0.1 and drives the API from
 * the user's browser; the request then carries `Host: evil.example`. Only loopback names, IP
 * literals (a rebinding attack always uses a name) and configured names are answered.
 */

/** `host:port`, `[v6]:port`, `host` → the host part, lower case. */
export function hostOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

const isLoopbackName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

/** `name` or `*.suffix` entries, case-insensitive. */
function matches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
}

export function hostAllowed(hostHeader: string | undefined, allowed: readonly string[]): boolean {
  if (hostHeader === undefined || hostHeader === '') return true; // not a browser (HTTP/1.0 tools)
  const host = hostOf(hostHeader);
  if (isIP(host) !== 0 || isLoopbackName(host)) return true;
  return allowed.some((pattern) => matches(host, pattern));
}

export function isLoopbackListen(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '[::1]') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isStateChanging = (method: string): boolean => !SAFE_METHODS.has(method.toUpperCase());

/**
 * Why a state-changing request that relies on ambient authority (a cookie, or no credential on
 * loopback) must be refused as cross-site, or undefined. Browsers send `Origin` on every
 * cross-origin POST/PUT/DELETE and `Sec-Fetch-Site` on every request; tools like curl send neither.
 * Requests with an Authorization header are not checked: a page cannot add one cross-site
 * without a CORS preflight, which only configured origins pass.
 */
export function crossSiteRefusal(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  hostHeader: string | undefined,
  corsOrigins: readonly string[],
): string | undefined {
  const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
  const fetchSite = typeof headers['sec-fetch-site'] === 'string' ? headers['sec-fetch-site'] : undefined;
  if (origin !== undefined) {
    if (corsOrigins.includes(origin)) return undefined;
    let originHost: string | undefined;
    try {
      originHost = origin === 'null' ? undefined : new URL(origin).host.toLowerCase();
    } catch {
      originHost = undefined;
    }
    if (originHost === undefined || originHost !== hostHeader?.toLowerCase()) {
      return `cross-site request from origin ${origin} refused`;
    }
    return undefined;
  }
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') {
    return `cross-site request (Sec-Fetch-Site: ${fetchSite}) refused`;
  }
  return undefined;
}
