import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterValue } from '../../../apps/server/test/harness.js';
import { type Execution, type K8sServer, startK8sServer, TERMINAL, until } from '../support/k8s-server.js';

describe('Jobs created outside the API are adopted', () => {
  let k: K8sServer;
  beforeAll(async () => {
    k = await startK8sServer('adopt');
  });
  afterAll(() => k?.close());

  it('a Job applied with kubectl and labelled as a Batchyard task becomes an execution and completes', async () => {
    const labels = {
      'app.kubernetes.io/managed-by': 'batchyard',
      'batchyard.io/task-name': 'nightly-report',
    };
    await k.ns.batch.createNamespacedJob({
      namespace: k.ns.namespace,
      body: {
        metadata: { name: 'by-hand-1', labels, annotations: { 'batchyard.io/task-name': 'nightly-report' } },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'task',
                  image: 'batchyard/scripted-task:1.0',
                  args: ['--print=by-hand', '--sleep=500'],
                },
              ],
            },
          },
        },
      },
    });
    const found = await until(
      () => k.server.request<Execution>('GET', '/tasks/executions/external/by-hand-1'),
      (r) => r.status === 200,
      'adoption',
    );
    expect(found.body).toMatchObject({ taskName: 'nightly-report', externalExecutionId: 'by-hand-1' });
    // Counted once, as adopted (however many events the Job produced).
    expect(
      await counterValue(k.server, 'batchyard_task_launches_total', {
        result: 'launched',
        source: 'adopted',
      }),
    ).toBe(1);
    const done = await until(
      () => k.server.request<Execution>('GET', `/tasks/executions/${found.body.id}`).then((r) => r.body),
      (e) => TERMINAL.includes(e.status),
      'completion',
    );
    expect(done).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    const logs = await fetch(`${k.server.url}/tasks/executions/${done.id}/logs`).then((r) => r.text());
    expect(logs).toContain('by-hand');
  });

  it('ignores Jobs that are not labelled as Batchyard tasks', async () => {
    await k.ns.batch.createNamespacedJob({
      namespace: k.ns.namespace,
      body: {
        metadata: { name: 'not-ours' },
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'c', image: 'batchyard/scripted-task:1.0' }],
            },
          },
        },
      },
    });
    await new Promise((r) => setTimeout(r, 3000));
    expect((await k.server.request('GET', '/tasks/executions/external/not-ours')).status).toBe(404);
  });
});
