import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../setup/until.js';
import { startServerProcess } from '../launch/server.js';
import { type Execution, type K8sServer, startK8sServer, TERMINAL } from '../support/k8s-server.js';

const IMAGE = 'docker:batchyard/scripted-task:1.0';

describe('a composed task survives the server being SIGKILLed in the middle of a split', () => {
  let k: K8sServer;
  beforeAll(async () => {
    k = await startK8sServer('ckill');
    for (const app of ['extract', 'clean', 'enrich', 'load']) {
      await k.server.request('POST', `/apps/task/${app}/1.0`, { uri: IMAGE });
    }
    await k.server.request('POST', '/tasks/definitions', {
      name: 'split-etl',
      definition: 'extract && <clean --sleep=6000 || enrich --sleep=6000> && load',
    });
    await k.server.close();
  });
  afterAll(() => k?.close());

  it('completes after a restart with each child launched exactly once', async () => {
    const first = await startServerProcess({
      ...k.env,
      DATABASE_URL: k.db.url,
      BATCHYARD_REGISTER_SAMPLES: 'false',
    });
    const api = <T>(path: string, init?: RequestInit) =>
      fetch(`${first.url}${path}`, init).then((r) => r.json() as Promise<T>);
    const parent = await api<Execution>('/tasks/executions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'split-etl' }),
    });
    await until(
      () => api<{ items: Execution[] }>(`/tasks/executions?parent=${parent.id}`),
      (page) =>
        page.items.filter((c) => c.status === 'RUNNING' && /-(clean|enrich)$/.test(c.taskName)).length === 2,
      'both split branches running',
    );
    await first.kill('SIGKILL'); // mid-split: nothing gets to shut down cleanly

    const s = await k.restart();
    const done = await until(
      () => s.request<Execution>('GET', `/tasks/executions/${parent.id}`).then((r) => r.body),
      (e) => TERMINAL.includes(e.status),
      'the composed task to end',
    );
    expect(done).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    const kids = (
      await s.request<{ items: Execution[] }>('GET', `/tasks/executions?parent=${parent.id}&size=50`)
    ).body.items;
    expect(kids.map((c) => c.taskName).sort()).toEqual([
      'split-etl-clean',
      'split-etl-enrich',
      'split-etl-extract',
      'split-etl-load',
    ]);
    expect(kids.every((c) => c.status === 'COMPLETE')).toBe(true);
    const jobs = await k.ns.batch.listNamespacedJob({ namespace: k.ns.namespace });
    expect(jobs.items).toHaveLength(4);
  });
});
