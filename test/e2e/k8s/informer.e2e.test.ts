import { MANAGED_SELECTOR, makeJobInformer, type ResilientInformer } from '@batchyard/k8s';
import type { V1Job } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestNamespace, type TestNamespace, waitFor } from '../../cluster/src/testing.js';
import { TcpProxy, throughProxy } from './tcp-proxy.js';

/**
 * The resilient informer against the real API server, reached through a proxy the test cuts: the
 * watch errors, client-node's informer stops, the wrapper restarts it with backoff and catches up
 * with what changed while it was disconnected.
 */

let ns: TestNamespace;
let proxy: TcpProxy;
let informer: ResilientInformer<V1Job> | undefined;

beforeEach(async () => {
  ns = await createTestNamespace('k8s-informer');
  proxy = await TcpProxy.toApiServer(ns.kc);
});
afterEach(async () => {
  await informer?.stop();
  await proxy.down();
  await ns.cleanup();
});

function job(name: string): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'batchyard' } },
    spec: {
      backoffLimit: 0,
      // Nothing should run: a node selector no node matches keeps the pod Pending.
      template: {
        spec: {
          restartPolicy: 'Never',
          nodeSelector: { 'batchyard.io/none': 'true' },
          containers: [{ name: 'task', image: 'batchyard/test-shell:1', args: ['-c', 'true'] }],
        },
      },
    },
  };
}

describe('resilient informer', () => {
  it('survives watch errors: restarts with backoff and catches up on what changed meanwhile', async () => {
    const seen = new Set<string>();
    const deleted = new Set<string>();
    const errors: number[] = [];
    let resyncs = 0;
    informer = makeJobInformer(throughProxy(ns.kc, proxy.port), ns.namespace, MANAGED_SELECTOR, {
      onAdd: (j) => seen.add(j.metadata?.name ?? ''),
      onDelete: (j) => deleted.add(j.metadata?.name ?? ''),
      onError: (_error, delay) => errors.push(delay),
      onResync: () => {
        resyncs++;
      },
      resyncMs: 500,
      initialBackoffMs: 200,
      maxBackoffMs: 1000,
    });
    await ns.batch.createNamespacedJob({ namespace: ns.namespace, body: job('before-start') });
    await informer.start();
    await informer.ready;
    expect(informer.list().map((j) => j.metadata?.name)).toEqual(['before-start']);

    await ns.batch.createNamespacedJob({ namespace: ns.namespace, body: job('while-up') });
    await waitFor(
      'the watch event for while-up',
      async () => (seen.has('while-up') ? true : undefined),
      15_000,
    );

    await proxy.down();
    await waitFor('an informer error', async () => (errors.length > 0 ? true : undefined), 15_000);
    // Changes while disconnected: one added, one deleted.
    await ns.batch.createNamespacedJob({ namespace: ns.namespace, body: job('while-down') });
    await ns.batch.deleteNamespacedJob({
      namespace: ns.namespace,
      name: 'before-start',
      propagationPolicy: 'Background',
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(errors.length).toBeGreaterThanOrEqual(2);

    await proxy.up();
    await waitFor(
      'catch-up after reconnecting',
      async () => (seen.has('while-down') && deleted.has('before-start') ? true : undefined),
      30_000,
    );
    const stats = informer.stats();
    expect(stats.errors).toBeGreaterThanOrEqual(2);
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(stats.lastError).toBeDefined();
    expect(stats.lastEventAt).toBeInstanceOf(Date);
    expect(resyncs).toBeGreaterThan(0);
    expect(
      informer
        .list()
        .map((j) => j.metadata?.name)
        .sort(),
    ).toEqual(['while-down', 'while-up']);
    // Backoff grew while the API server was unreachable (jitter: 50–150 % of 200, 400, 800, 1000…).
    expect(Math.max(...errors)).toBeGreaterThan(300);
  });
});
