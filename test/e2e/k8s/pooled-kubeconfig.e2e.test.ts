import { PooledKubeConfig } from '@batchyard/k8s';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestNamespace, type TestNamespace } from '../../cluster/src/testing.js';
import { until } from '../../setup/until.js';
import { TcpProxy, throughProxy } from './tcp-proxy.js';

/**
 * Connection reuse against the real API server, counted at a TCP proxy in front of it: client-node
 * opens a connection (and a TLS handshake) per call; PooledKubeConfig keeps one.
 */
describe('PooledKubeConfig', () => {
  let ns: TestNamespace;
  let proxy: TcpProxy;

  beforeEach(async () => {
    ns = await createTestNamespace('k8s-pool');
    proxy = await TcpProxy.toApiServer(ns.kc);
  });
  afterEach(async () => {
    await proxy.down();
    await ns.cleanup();
  });

  /** The namespace's credentials, through the proxy. */
  const through = <T extends KubeConfig>(kc: T): T => throughProxy(ns.kc, proxy.port, kc);
  const list = (api: CoreV1Api) => api.listNamespacedPod({ namespace: ns.namespace });

  it('client-node alone opens a connection per call (the baseline)', async () => {
    const api = through(new KubeConfig()).makeApiClient(CoreV1Api);
    for (let i = 0; i < 10; i++) await list(api);
    expect(proxy.accepted).toBe(10);
  });

  it('reuses one connection for sequential calls, with the same credentials per call', async () => {
    const kc = through(new PooledKubeConfig());
    const api = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < 10; i++) expect((await list(api)).items).toEqual([]);
    expect(proxy.accepted).toBe(1);
    expect(kc.agentCount).toBe(1);
    // A second client of the same config shares the agent.
    await list(kc.makeApiClient(CoreV1Api));
    expect(proxy.accepted).toBe(1);
    kc.closeConnections();
    expect(kc.openConnections).toBe(0);
  });

  it('opens what concurrency needs, then reuses those connections', async () => {
    const kc = through(new PooledKubeConfig());
    const api = kc.makeApiClient(CoreV1Api);
    await Promise.all(Array.from({ length: 5 }, () => list(api)));
    const opened = proxy.accepted;
    expect(opened).toBeLessThanOrEqual(5);
    await Promise.all(Array.from({ length: 5 }, () => list(api)));
    for (let i = 0; i < 5; i++) await list(api);
    expect(proxy.accepted).toBe(opened);
    kc.closeConnections();
  });

  it('recovers when the kept connection is cut: the next call opens a new one', async () => {
    const kc = through(new PooledKubeConfig());
    const api = kc.makeApiClient(CoreV1Api);
    await list(api);
    await proxy.down();
    await proxy.up();
    // The idle socket sees the cut and leaves the pool; nothing stale is reused.
    await until(
      async () => kc.openConnections,
      (n) => n === 0,
      'the cut connection to leave the pool',
    );
    expect((await list(api)).items).toEqual([]);
    expect(proxy.accepted).toBe(2);
    kc.closeConnections();
  });
});
