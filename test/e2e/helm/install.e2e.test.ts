import { existsSync } from 'node:fs';
import { AppsV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPermissions, MissingPermissionsError } from '../../../apps/server/src/platform/rbac.js';
import { canMountPrivately } from '../../cluster/src/node-agent/volumes.js';
import { createTestNamespace, type TestNamespace, waitFor } from '../../cluster/src/testing.js';
import { createTestDatabase, type TestDatabase } from '../../setup/database.js';
import { PROMETHEUS, startPrometheus } from './prometheus.js';
import { chart, freePort, helm, http, kubectl, serviceAccountKubeConfig } from './support.js';

/**
 * `helm install` of charts/batchyard into the test control plane. The server pod runs under the
 * node agent (image batchyard/server:* → node apps/server/dist/main.js, see vitest.config.ts) with
 * the chart's ServiceAccount token mounted where in-cluster clients read it, and its database from
 * the existing Secret. A launch through it proves the Role sufficient; refusals with the same
 * token prove it least. Needs mount namespaces (root) for the token volume.
 */
interface Execution {
  id: number;
  status: string;
  exitCode: number | null;
}

describe.runIf(canMountPrivately())('helm install charts/batchyard', () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  let port: number;

  beforeAll(async () => {
    ns = await createTestNamespace('helm');
    db = await createTestDatabase();
    // The existing-secret path: the server reads it as DATABASE_URL, task pods via the account.
    await ns.core.createNamespacedSecret({
      namespace: ns.namespace,
      body: { metadata: { name: 'batchyard-database' }, stringData: { url: db.url } },
    });
    port = await freePort(); // pods share the host's network here: the container port must be free
    await helm([
      'install',
      'by',
      chart,
      '--namespace',
      ns.namespace,
      '--set',
      `postgresql.enabled=false,database.existingSecret=batchyard-database,image.tag=e2e,tmpDir=/var/tmp/batchyard-e2e,containerPort=${port},service.port=${port}`,
      '--set',
      // The test's plain HTTP calls carry no token: authentication is switched off explicitly here
      // (the chart's default turns API tokens on; the auth tests cover them).
      'config.executions.resyncSeconds=2,config.samples.register=false,config.auth.disabled=true',
      '--set-json',
      'config.platforms=[{"name":"cluster","type":"kubernetes","pendingTimeoutSeconds":30,"defaults":{"requests.cpu":"10m"}}]',
    ]);
    await waitFor(
      'the in-cluster server to be ready',
      async () =>
        (await http(port, 'GET', '/health/ready').catch(() => undefined))?.status === 200 ? true : undefined,
      120_000,
    );
  });
  afterAll(async () => {
    await helm(['uninstall', 'by', '--namespace', ns.namespace]).catch(() => undefined);
    await ns?.cleanup();
    await db?.drop();
  });

  it('runs the server with the chart ServiceAccount and launches a task through it', async () => {
    const pods = await ns.core.listNamespacedPod({
      namespace: ns.namespace,
      labelSelector: 'app.kubernetes.io/instance=by',
    });
    expect(pods.items[0]?.spec?.serviceAccountName).toBe('by-batchyard');
    expect(
      (await http(port, 'POST', '/apps/task/scripted/1.0', { uri: 'docker:batchyard/scripted-task:1.0' }))
        .status,
    ).toBeLessThan(300);
    expect(
      (await http(port, 'POST', '/tasks/definitions', { name: 'hello', definition: 'scripted --print=hi' }))
        .status,
    ).toBeLessThan(300);
    const launched = await http<Execution>(port, 'POST', '/tasks/executions', { name: 'hello' });
    expect(launched.status).toBe(201);
    const ended = await waitFor(
      `execution ${launched.body.id} to end`,
      async () => {
        const e = (await http<Execution>(port, 'GET', `/tasks/executions/${launched.body.id}`)).body;
        return ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(e.status) ? e : undefined;
      },
      120_000,
    );
    expect(ended).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    // The Job went into the release namespace: the account named none, the SA's namespace applied.
    const jobs = await ns.batch.listNamespacedJob({ namespace: ns.namespace });
    expect(jobs.items.length).toBe(1);
  });

  it("refuses what the Role does not grant to the chart's ServiceAccount token", async () => {
    const kc = await serviceAccountKubeConfig(ns, 'by-batchyard');
    const forbidden = async (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 403 });
    await forbidden(
      kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
        namespace: ns.namespace,
        body: {
          metadata: { name: 'x' },
          spec: {
            selector: { matchLabels: { a: 'b' } },
            template: {
              metadata: { labels: { a: 'b' } },
              spec: { containers: [{ name: 'c', image: 'busybox:1' }] },
            },
          },
        },
      }),
    );
    await forbidden(kc.makeApiClient(CoreV1Api).listSecretForAllNamespaces());
    await forbidden(kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: ns.namespace }));
    await forbidden(kc.makeApiClient(CoreV1Api).listPodForAllNamespaces());
    // …while what the server needs is granted (the start-up check passes with this token).
    await assertPermissions(kc, 'cluster', [ns.namespace]);
  });

  it('names every missing permission for a ServiceAccount whose Role lacks some', async () => {
    const rbac = ns.kc.makeApiClient(RbacAuthorizationV1Api);
    await ns.core.createNamespacedServiceAccount({
      namespace: ns.namespace,
      body: { metadata: { name: 'partial' } },
    });
    const role = await rbac.readNamespacedRole({ name: 'by-batchyard', namespace: ns.namespace });
    // The chart's rules minus jobs/delete and the whole pods/log rule.
    const rules = (role.rules ?? [])
      .filter((r) => !r.resources?.includes('pods/log'))
      .map((r) =>
        r.resources?.includes('jobs') ? { ...r, verbs: r.verbs.filter((v) => v !== 'delete') } : r,
      );
    await rbac.createNamespacedRole({
      namespace: ns.namespace,
      body: { metadata: { name: 'partial' }, rules },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns.namespace,
      body: {
        metadata: { name: 'partial' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'partial' },
        subjects: [{ kind: 'ServiceAccount', name: 'partial', namespace: ns.namespace }],
      },
    });
    const kc = await serviceAccountKubeConfig(ns, 'partial');
    const err = await assertPermissions(kc, 'cluster', [ns.namespace]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPermissionsError);
    expect((err as MissingPermissionsError).message).toContain(
      `namespace ${ns.namespace}: jobs.batch: delete`,
    );
    expect((err as MissingPermissionsError).message).toContain(`namespace ${ns.namespace}: pods/log: get`);
    expect((err as MissingPermissionsError).missing).toHaveLength(2);
  });

  it('adopts a Job applied with kubectl, with nothing but the Role (issue 9 part 4)', async () => {
    const labels = { 'app.kubernetes.io/managed-by': 'batchyard', 'batchyard.io/task-name': 'by-kubectl' };
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'by-kubectl-1', namespace: ns.namespace, labels },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            containers: [
              { name: 'task', image: 'batchyard/scripted-task:1.0', args: ['--print=adopted-via-kubectl'] },
            ],
          },
        },
      },
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(job));
    const adopted = await waitFor(
      'the in-cluster server to adopt by-kubectl-1',
      async () => {
        const r = await http<Execution & { taskName: string }>(
          port,
          'GET',
          '/tasks/executions/external/by-kubectl-1',
        );
        return r.status === 200 && ['COMPLETE', 'FAILED', 'LOST'].includes(r.body.status)
          ? r.body
          : undefined;
      },
      120_000,
    );
    expect(adopted).toMatchObject({ taskName: 'by-kubectl', status: 'COMPLETE', exitCode: 0 });
    // Its log comes through pods/log with the server's own token.
    const logs = await fetch(`http://127.0.0.1:${port}/tasks/executions/${adopted.id}/logs`).then((r) =>
      r.text(),
    );
    expect(logs).toContain('adopted-via-kubectl');
  });

  // Prometheus from scripts/provision-prometheus.sh with the job in charts/batchyard/examples;
  // skipped (not failed) where it is not installed or the server has no /metrics yet.
  it('is scraped by Prometheus through the pod annotations, and its metrics are queryable', async (ctx) => {
    if (!existsSync(PROMETHEUS)) ctx.skip(`${PROMETHEUS} missing: run scripts/provision-prometheus.sh`);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
    if (metrics?.status !== 200) ctx.skip('the server has no /metrics');
    const prometheus = await startPrometheus(ns.kc, ns.namespace);
    try {
      const up = await waitFor(
        'the batchyard target to be up',
        async () => {
          const r = await prometheus.query('up{job="batchyard"}');
          return r[0]?.value[1] === '1' ? r[0] : undefined;
        },
        60_000,
      );
      expect(up.metric).toMatchObject({ namespace: ns.namespace, instance: `127.0.0.1:${port}` });
      const launches = await waitFor(
        'batchyard_task_launches_total through Prometheus',
        async () => {
          const r = await prometheus.query('sum(batchyard_task_launches_total)');
          return r.length > 0 ? Number(r[0]?.value[1]) : undefined;
        },
        30_000,
      );
      expect(launches).toBeGreaterThanOrEqual(1);
    } finally {
      await prometheus.stop();
    }
  });
  // Issue 15's quota bug: the chart's Role had no `list` on resourcequotas and the launcher swallowed
  // the 403, so an installed release launched straight past the quota. With the Role fixed it queues.
  it('queues a launch a namespace ResourceQuota cannot take yet, and starts it when a pod slot frees', async () => {
    const used = (await ns.core.listNamespacedPod({ namespace: ns.namespace })).items.filter(
      (p) => p.status?.phase === 'Pending' || p.status?.phase === 'Running',
    ).length; // the server's own pod counts too
    await ns.core.createNamespacedResourceQuota({
      namespace: ns.namespace,
      body: { metadata: { name: 'one-more-pod' }, spec: { hard: { pods: String(used + 1) } } },
    });
    try {
      await waitFor(
        'the quota controller to fill in status.used',
        async () => {
          const q = await ns.core.readNamespacedResourceQuota({
            name: 'one-more-pod',
            namespace: ns.namespace,
          });
          return q.status?.used?.pods !== undefined ? true : undefined;
        },
        60_000,
      );
      await http(port, 'POST', '/tasks/definitions', { name: 'slow', definition: 'scripted --sleep=4000' });
      const first = await http<Execution>(port, 'POST', '/tasks/executions', { name: 'slow' });
      expect(first.status).toBe(201);
      await waitFor(
        'the first pod to use the last slot',
        async () => {
          const q = await ns.core.readNamespacedResourceQuota({
            name: 'one-more-pod',
            namespace: ns.namespace,
          });
          return q.status?.used?.pods === String(used + 1) ? true : undefined;
        },
        60_000,
      );
      const second = await http<Execution & { reason: string | null; errorMessage: string | null }>(
        port,
        'POST',
        '/tasks/executions',
        { name: 'slow' },
      );
      expect(second.status).toBe(201);
      expect(second.body).toMatchObject({ status: 'QUEUED', reason: 'ResourceQuota' });
      expect(second.body.errorMessage).toContain('one-more-pod');
      const ended = await waitFor(
        'the queued execution to run once the slot frees',
        async () => {
          const e = (await http<Execution>(port, 'GET', `/tasks/executions/${second.body.id}`)).body;
          return ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(e.status) ? e : undefined;
        },
        120_000,
      );
      expect(ended).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    } finally {
      await ns.core.deleteNamespacedResourceQuota({ name: 'one-more-pod', namespace: ns.namespace });
    }
  });
});
