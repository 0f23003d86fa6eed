import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesLease } from '../../../apps/server/src/leader/backends.js';
import { Leadership, type SingletonLoop } from '../../../apps/server/src/leader/elector.js';
import { createTestNamespace, type TestNamespace } from '../../cluster/src/testing.js';
import { until } from '../../setup/until.js';
import { TcpProxy, throughProxy } from '../k8s/tcp-proxy.js';

/**
 * Leader election on a real coordination.k8s.io/v1 Lease. The leader's connection to the API
 * server is cut (a proxy that stops forwarding): it stops leading before the other replica starts.
 */
describe('Kubernetes Lease leader election', () => {
  let ns: TestNamespace;
  let proxy: TcpProxy;
  const events: string[] = [];
  const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 300 };
  const loop = (who: string): SingletonLoop => ({
    name: 'test loop',
    start: async () => void events.push(`${who} started`),
    stop: async () => void events.push(`${who} stopped`),
  });

  beforeAll(async () => {
    ns = await createTestNamespace('lease');
    proxy = await TcpProxy.toApiServer(ns.kc);
  });
  afterAll(async () => {
    await proxy?.down();
    await ns?.cleanup();
  });

  it('elects one leader, and a partitioned leader stops before the other starts', async () => {
    const log = pino({ level: 'silent' });
    const viaProxy = throughProxy(ns.kc, proxy.port);
    const a = new Leadership(new KubernetesLease(viaProxy, ns.namespace, 'leader', 3_000), 'a', timing, log);
    a.add(loop('a'));
    await a.start();
    expect(a.state.leading).toBe(true);
    const b = new Leadership(new KubernetesLease(ns.kc, ns.namespace, 'leader', 3_000), 'b', timing, log);
    b.add(loop('b'));
    await b.start();
    expect(b.state.leading).toBe(false);
    const lease = await ns.kc
      .makeApiClient((await import('@kubernetes/client-node')).CoordinationV1Api)
      .readNamespacedLease({ name: 'leader', namespace: ns.namespace });
    expect(lease.spec?.holderIdentity).toBe('a');

    await proxy.down();
    await until(
      async () => b.state.leading,
      (leading) => leading,
      'b to take over',
      60_000,
      100,
    );
    expect(events).toEqual(['a started', 'a stopped', 'b started']);
    expect(a.state.leading).toBe(false);
    expect(b.state.epoch).toBe(1);

    // a comes back: it sees b's lease and stays a follower; b gives the lease up on shutdown.
    await proxy.up();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(a.state.leading).toBe(false);
    await b.stop();
    await until(
      async () => a.state.leading,
      (leading) => leading,
      'a to lead again after b released',
      60_000,
      100,
    );
    await a.stop();
  });
});
