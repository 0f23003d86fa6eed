import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMissingPermissions, REQUIRED_PERMISSIONS } from '../../../apps/server/src/platform/rbac.js';
import { startTestServer, type TestServer } from '../../../apps/server/test/harness.js';
import {
  createTestNamespace,
  loadKubeConfig,
  type TestNamespace,
  waitFor,
} from '../../cluster/src/testing.js';
import { createTestDatabase, type TestDatabase } from '../../setup/database.js';

/**
 * The server on a ServiceAccount's own token, bound to a Role built from REQUIRED_PERMISSIONS:
 * that Role is enough to launch (the trimmed rules still work), and without `resourcequotas` the
 * server refuses to start, or — when the grant is revoked while it runs — the launch fails saying
 * so instead of silently not queueing on the namespace's quota.
 */
const rules = (keep: (resource: string) => boolean): V1PolicyRule[] =>
  REQUIRED_PERMISSIONS.filter((p) => keep(p.resource)).map((p) => ({
    apiGroups: [p.group],
    resources: [p.subresource ? `${p.resource}/${p.subresource}` : p.resource],
    verbs: [...p.verbs],
  }));
const everything = rules(() => true);
const withoutQuotas = rules((r) => r !== 'resourcequotas');

describe('least-privilege RBAC for a kubernetes account', () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  let rbac: RbacAuthorizationV1Api;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let saKc: KubeConfig;
  const servers: TestServer[] = [];
  const setRole = (r: V1PolicyRule[]) =>
    rbac.replaceNamespacedRole({
      name: 'batchyard',
      namespace: ns.namespace,
      body: { metadata: { name: 'batchyard', namespace: ns.namespace }, rules: r },
    });
  /** RBAC changes reach the authorizer through its informer: wait until the API server applies them. */
  const granted = (quotas: boolean) =>
    waitFor(
      `resourcequotas to be ${quotas ? 'granted' : 'revoked'}`,
      async () => {
        const missing = await findMissingPermissions(saKc, [ns.namespace]);
        return missing.some((m) => m.resource === 'resourcequotas') === !quotas ? true : undefined;
      },
      60_000,
    );

  beforeAll(async () => {
    ns = await createTestNamespace('rbac');
    db = await createTestDatabase();
    await ns.core.createNamespacedSecret({
      namespace: ns.namespace,
      body: { metadata: { name: 'batchyard-database' }, stringData: { url: db.url } },
    });
    rbac = ns.kc.makeApiClient(RbacAuthorizationV1Api);
    await ns.core.createNamespacedServiceAccount({
      namespace: ns.namespace,
      body: { metadata: { name: 'batchyard' } },
    });
    await rbac.createNamespacedRole({
      namespace: ns.namespace,
      body: { metadata: { name: 'batchyard' }, rules: withoutQuotas },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns.namespace,
      body: {
        metadata: { name: 'batchyard' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'batchyard' },
        subjects: [{ kind: 'ServiceAccount', name: 'batchyard', namespace: ns.namespace }],
      },
    });
    const token = await waitFor(
      'the ServiceAccount token',
      async () => {
        const sa = await ns.core.readNamespacedServiceAccount({ name: 'batchyard', namespace: ns.namespace });
        const secret = sa.secrets?.[0]?.name;
        if (!secret) return undefined;
        const data = (await ns.core.readNamespacedSecret({ name: secret, namespace: ns.namespace })).data
          ?.token;
        return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
      },
      60_000,
    );
    const admin = loadKubeConfig();
    const cluster = admin.getCurrentCluster();
    const ca = cluster?.caFile
      ? readFileSync(cluster.caFile, 'utf8')
      : Buffer.from(cluster?.caData ?? '', 'base64').toString();
    saKc = new KubeConfig();
    saKc.loadFromClusterAndUser(
      {
        name: 'test',
        server: cluster?.server ?? '',
        caData: Buffer.from(ca).toString('base64'),
        skipTLSVerify: false,
      },
      { name: `system:serviceaccount:${ns.namespace}:batchyard`, token },
    );
    dir = mkdtempSync(join(tmpdir(), 'batchyard-rbac-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, saKc.exportConfig(), { mode: 0o600 });
    env = {
      BATCHYARD_PLATFORMS: JSON.stringify([
        {
          name: 'k8s',
          type: 'kubernetes',
          kubeconfig,
          namespace: ns.namespace,
          pendingTimeoutSeconds: 10,
          // The quota informer's open watch outlives a revoked grant; it shows at the next re-list.
          quotaRelistSeconds: 2,
          maxConcurrent: 10,
          defaults: { 'requests.cpu': '10m' },
        },
      ]),
      BATCHYARD_RESYNC_SECONDS: '2',
    };
  });
  afterAll(async () => {
    for (const s of servers) await s.close().catch(() => undefined);
    await ns?.cleanup();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('without list/watch on resourcequotas the server refuses to start, naming them', async () => {
    await expect(startTestServer(env, { db, keepDatabase: true })).rejects.toThrow(
      new RegExp(`namespace ${ns.namespace}: resourcequotas: list, watch\\n`),
    );
  });

  it('with exactly REQUIRED_PERMISSIONS it launches to COMPLETE; a quota grant revoked later fails the launch, saying so', async () => {
    await setRole(everything);
    await granted(true);
    const server = await startTestServer(env, { db, keepDatabase: true });
    servers.push(server);
    await server.request('POST', '/apps/task/scripted/1.0', { uri: 'docker:batchyard/scripted-task:1.0' });
    await server.request('POST', '/tasks/definitions', { name: 'hello', definition: 'scripted --print=hi' });
    const launched = await server.request<{ id: number }>('POST', '/tasks/executions', { name: 'hello' });
    expect(launched.status).toBe(201);
    const done = await waitFor(
      'the execution to end',
      async () => {
        const e = (await server.request<{ status: string }>('GET', `/tasks/executions/${launched.body.id}`))
          .body;
        return ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(e.status) ? e : undefined;
      },
      120_000,
    );
    expect(done.status).toBe('COMPLETE');

    await setRole(withoutQuotas);
    await granted(false);
    // Launches read quotas from the informer's cache: the revocation fails them from its next re-list on.
    const refused = await waitFor(
      'a launch refused for want of the quota grant',
      async () => {
        const r = await server.request<{ error: string; message: string }>('POST', '/tasks/executions', {
          name: 'hello',
        });
        if (r.status === 201) {
          await new Promise((res) => setTimeout(res, 500));
          return undefined;
        }
        return r;
      },
      60_000,
    );
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe('PLATFORM_UNAVAILABLE');
    expect(refused.body.message).toMatch(/may not list resourcequotas in namespace .* \(403 Forbidden\)/);
  });
});
