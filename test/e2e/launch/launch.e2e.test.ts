import type { V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../../apps/server/test/harness.js';
import type { TestNamespace } from '../../cluster/src/testing.js';
import type { TestDatabase } from '../../setup/database.js';
import { until } from '../../setup/until.js';
import { type Execution, type K8sServer, startK8sServer, TERMINAL } from '../support/k8s-server.js';
import { startServerProcess } from './server.js';

describe('launching task executions as Kubernetes Jobs (REST API only)', () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  let s: TestServer;
  let env: NodeJS.ProcessEnv;
  const get = (id: number) => s.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
  const ended = (id: number, ms?: number) =>
    until(
      () => get(id),
      (e) => TERMINAL.includes(e.status),
      `execution ${id} to end`,
      ms,
    );
  const launch = async (name: string, args: string[] = [], properties: Record<string, string> = {}) => {
    const r = await s.request<Execution>('POST', '/tasks/executions', { name, arguments: args, properties });
    expect(r.status).toBe(201);
    return r.body;
  };

  let k: K8sServer;
  beforeAll(async () => {
    k = await startK8sServer('launch');
    ({ ns, db, server: s, env } = k);
    await s.request('POST', '/apps/task/scripted/1.0', { uri: 'docker:batchyard/scripted-task:1.0' });
    await s.request('POST', '/apps/task/ghost/1.0', { uri: 'docker:batchyard/no-such-image:1.0' });
    await s.request('POST', '/tasks/definitions', {
      name: 'hello',
      definition: 'scripted --print=hello-from-a-pod',
    });
    await s.request('POST', '/tasks/definitions', { name: 'ghost-task', definition: 'ghost' });
  });
  afterAll(async () => {
    k.server = s;
    await k?.close();
  });

  it('runs a Job to COMPLETE with exit code 0, with the requested resources and no secret in the manifest', async () => {
    const e = await launch('hello', ['--sleep=8000'], {
      'deployer.scripted.limits.memory': '256Mi',
      'deployer.scripted.requests.memory': '64Mi',
      'deployer.scripted.limits.cpu': '500m',
      'deployer.scripted.backoffLimit': '0',
      'deployer.scripted.ttlSecondsAfterFinished': '600',
      'deployer.scripted.labels': 'team:batch',
    });
    const running = await until(
      () => get(e.id),
      (x) => x.status === 'RUNNING' || TERMINAL.includes(x.status),
      'RUNNING',
    );
    expect(running.status).toBe('RUNNING');
    // A running pod's process may not have printed yet (node starts slowly on a loaded machine): wait for
    // the line, then check the execution was still running when it was read.
    const during = await until(
      () => fetch(`${s.url}/tasks/executions/${e.id}/logs`).then((r) => r.text()),
      (text) => text.includes('hello-from-a-pod') || text.includes('done'),
      'the running pod to print',
    );
    expect(during).toContain('hello-from-a-pod');
    expect(during).not.toContain('done');
    expect((await get(e.id)).status).toBe('RUNNING');
    const done = await ended(e.id);
    expect(done).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    const job = await ns.batch.readNamespacedJob({
      name: done.externalExecutionId!,
      namespace: ns.namespace,
    });
    const container = job.spec?.template.spec?.containers[0];
    expect(container?.resources).toEqual({
      limits: { memory: '256Mi', cpu: '500m' },
      requests: { memory: '64Mi', cpu: '10m' },
    });
    expect(job.spec?.backoffLimit).toBe(0);
    expect(job.metadata?.labels).toMatchObject({
      team: 'batch',
      'app.kubernetes.io/managed-by': 'batchyard',
    });
    const dbEnv = container?.env?.find((v) => v.name === 'BATCHYARD_DATABASE_URL');
    expect(dbEnv?.valueFrom?.secretKeyRef).toEqual({ name: 'batchyard-database', key: 'url' });
    expect(JSON.stringify(done.manifest)).not.toContain(new URL(db.url).password);
    expect(JSON.stringify(job)).not.toContain(new URL(db.url).password);
    const after = await fetch(`${s.url}/tasks/executions/${e.id}/logs?tail=1`).then((r) => r.text());
    expect(after).toBe('done\n');
  });

  it('records a failing app as FAILED with its exit code', async () => {
    const e = await launch('hello', ['--exit=7']);
    expect(await ended(e.id)).toMatchObject({ status: 'FAILED', exitCode: 7 });
  });

  it('records a memory hog as FAILED, reason OOMKilled', async () => {
    const e = await launch('hello', ['--allocate=300', '--sleep=5000'], {
      'deployer.scripted.limits.memory': '128Mi',
    });
    expect(await ended(e.id)).toMatchObject({ status: 'FAILED', exitCode: 137, reason: 'OOMKilled' });
  });

  it('fails an unknown image after the pending timeout and deletes its Job', async () => {
    const e = await launch('ghost-task');
    const done = await ended(e.id, 90_000);
    expect(done.status).toBe('FAILED');
    expect(done.reason).toMatch(/ErrImagePull|ImagePullBackOff/);
    await until(
      () =>
        ns.batch.readNamespacedJob({ name: done.externalExecutionId!, namespace: ns.namespace }).then(
          () => 'present',
          () => 'gone',
        ),
      (v) => v === 'gone',
      'the Job to be deleted',
    );
  });

  it('stops a running execution: SIGTERM to the pod, then STOPPED', async () => {
    const e = await launch('hello', ['--sleep=120000']);
    await until(
      () =>
        fetch(`${s.url}/tasks/executions/${e.id}/logs`).then(
          (r) => r.text(),
          () => '',
        ),
      (t) => t.includes('started'),
      'output',
    );
    const r = await s.request<Execution[]>('POST', `/tasks/executions/${e.id}/stop`);
    expect(r.body[0]?.status).toBe('STOPPING');
    expect(await ended(e.id)).toMatchObject({ status: 'STOPPED' });
  });

  it('marks an execution whose Job was deleted by hand as LOST', async () => {
    const e = await launch('hello', ['--sleep=120000']);
    const running = await until(
      () => get(e.id),
      (x) => x.status === 'RUNNING',
      'RUNNING',
    );
    await ns.batch.deleteNamespacedJob({
      name: running.externalExecutionId!,
      namespace: ns.namespace,
      propagationPolicy: 'Background',
    });
    expect(await ended(e.id)).toMatchObject({ status: 'LOST' });
  });

  it('launches 100 in parallel: 100 Jobs, no duplicates, all reconciled', async () => {
    const launched = await Promise.all(Array.from({ length: 100 }, () => launch('hello')));
    const ids = launched.map((e) => e.id);
    expect(new Set(ids).size).toBe(100);
    const results = await Promise.all(ids.map((id) => ended(id, 240_000)));
    expect(results.map((r) => r.status)).toEqual(Array(100).fill('COMPLETE'));
    const jobs = await ns.batch.listNamespacedJob({
      namespace: ns.namespace,
      labelSelector: 'app.kubernetes.io/managed-by=batchyard',
    });
    const names = new Set(results.map((r) => r.externalExecutionId));
    const ours = jobs.items.filter((j: V1Job) => names.has(j.metadata?.name ?? ''));
    expect(ours).toHaveLength(100);
  });

  it('reaches the true terminal state of 20 executions after the server is SIGKILLed and restarted', async () => {
    await s.close();
    const first = await startServerProcess({
      ...env,
      DATABASE_URL: db.url,
      BATCHYARD_REGISTER_SAMPLES: 'false',
    });
    const post = (body: unknown) =>
      fetch(`${first.url}/tasks/executions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Execution>);
    const launched = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post({ name: 'hello', arguments: ['--sleep=4000', `--exit=${i % 2 === 0 ? 0 : 5}`] }),
      ),
    );
    expect(launched.every((e) => Number.isInteger(e.id))).toBe(true);
    await first.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 6000)); // they finish while no server runs
    s = await k.restart();
    const results = await Promise.all(launched.map((e) => ended(e.id)));
    expect(results.map((r) => [r.status, r.exitCode])).toEqual(
      launched.map((_, i) => (i % 2 === 0 ? ['COMPLETE', 0] : ['FAILED', 5])),
    );
  });
});
