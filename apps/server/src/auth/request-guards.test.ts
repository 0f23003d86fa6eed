import { describe, expect, it } from 'vitest';
import {
  crossSiteRefusal,
  hostAllowed,
  hostOf,
  isLoopbackListen,
  isStateChanging,
} from './request-guards.js';

describe('hostAllowed (DNS rebinding)', () => {
  it.each([
    ['localhost:9393', true],
    ['127.0.0.1:9393', true],
    ['[::1]:9393', true],
    ['app.localhost', true],
    ['10.1.2.3:9393', true], // an IP literal cannot come from a rebinding attack
    ['evil.example:9393', false],
    ['localhost.evil.example', false],
    ['batchyard.example.com', true],
    ['api.batch.example.org:443', true],
    ['batch.example.org', false],
    [undefined, true],
  ])('%s → %s', (host, allowed) => {
    expect(hostAllowed(host, ['batchyard.example.com', '*.batch.example.org'])).toBe(allowed);
  });

  it('reads the host part of host:port and [v6]:port', () => {
    expect(hostOf('Example.COM:8080')).toBe('example.com');
    expect(hostOf('[fe80::1]:80')).toBe('fe80::1');
    expect(hostOf('::1')).toBe('::1');
  });
});

describe('isLoopbackListen', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
  ])('%s → %s', (host, loopback) => expect(isLoopbackListen(host)).toBe(loopback));
});

describe('crossSiteRefusal (CSRF)', () => {
  const host = '127.0.0.1:9393';
  it('lets tools without Origin or Sec-Fetch-Site through', () => {
    expect(crossSiteRefusal({}, host, [])).toBeUndefined();
  });
  it('lets a same-origin page through', () => {
    expect(
      crossSiteRefusal({ origin: 'http://127.0.0.1:9393', 'sec-fetch-site': 'same-origin' }, host, []),
    ).toBeUndefined();
  });
  it('refuses another origin, a null origin, and cross-site fetch metadata', () => {
    expect(crossSiteRefusal({ origin: 'https://evil.example' }, host, [])).toMatch(/evil.example/);
    expect(crossSiteRefusal({ origin: 'null' }, host, [])).toMatch(/null/);
    expect(crossSiteRefusal({ 'sec-fetch-site': 'cross-site' }, host, [])).toMatch(/cross-site/);
    expect(crossSiteRefusal({ 'sec-fetch-site': 'same-site' }, host, [])).toMatch(/same-site/);
  });
  it('lets configured CORS origins through', () => {
    expect(crossSiteRefusal({ origin: 'https://ui.example' }, host, ['https://ui.example'])).toBeUndefined();
  });
  it('only checks state-changing methods', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].map(isStateChanging)).toEqual([false, false, false]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(isStateChanging)).toEqual([true, true, true, true]);
  });
});
