import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Execution, type K8sServer, startK8sServer, TERMINAL, until } from '../support/k8s-server.js';

describe('a namespace ResourceQuota queues launches instead of rejecting them', () => {
  let k: K8sServer;
  beforeAll(async () => {
    k = await startK8sServer('quota');
    await k.ns.core.createNamespacedResourceQuota({
      namespace: k.ns.namespace,
      body: { metadata: { name: 'one-pod' }, spec: { hard: { pods: '1' } } },
    });
    // The quota controller fills in status.used asynchronously.
    await until(
      () => k.ns.core.readNamespacedResourceQuota({ name: 'one-pod', namespace: k.ns.namespace }),
      (q) => q.status?.used?.pods !== undefined,
      'quota status',
    );
    await k.server.request('POST', '/apps/task/scripted/1.0', { uri: 'docker:batchyard/scripted-task:1.0' });
    await k.server.request('POST', '/tasks/definitions', {
      name: 'slow',
      definition: 'scripted --sleep=3000',
    });
  });
  afterAll(() => k?.close());

  it('queues the launch the quota cannot take, with the reason, and starts it when the pod slot frees', async () => {
    const post = () =>
      k.server.request<Execution>('POST', '/tasks/executions', { name: 'slow' }).then((r) => r.body);
    const get = (id: number) =>
      k.server.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
    const first = await post();
    await until(
      () => k.ns.core.readNamespacedResourceQuota({ name: 'one-pod', namespace: k.ns.namespace }),
      (q) => q.status?.used?.pods === '1',
      'the first pod to use the quota',
    );
    const second = await post();
    expect(second.status).toBe('QUEUED');
    expect(second.reason).toBe('ResourceQuota');
    expect(second.errorMessage).toContain('pods');
    for (const id of [first.id, second.id]) {
      const done = await until(
        () => get(id),
        (e) => TERMINAL.includes(e.status),
        `execution ${id}`,
      );
      expect(done).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    }
  });
});
