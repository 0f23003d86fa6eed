import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  credentialsName,
  missingPermissionsMessage,
  REQUIRED_PERMISSIONS,
  serviceAccountNamespace,
} from './rbac.js';

describe('missingPermissionsMessage', () => {
  it('names every missing verb on every resource, grouped by namespace and resource', () => {
    const message = missingPermissionsMessage('k8s', 'system:serviceaccount:ns1:batchyard', [
      { namespace: 'ns1', group: 'batch', resource: 'jobs', verb: 'create' },
      { namespace: 'ns1', group: 'batch', resource: 'jobs', verb: 'delete' },
      { namespace: 'ns1', group: '', resource: 'pods/log', verb: 'get' },
      { namespace: 'ns2', group: '', resource: 'events', verb: 'watch' },
    ]);
    expect(message).toBe(
      [
        "platform account 'k8s': the Kubernetes credentials (system:serviceaccount:ns1:batchyard) lack 4 permission(s) the server needs:",
        '  namespace ns1: jobs.batch: create, delete',
        '  namespace ns1: pods/log: get',
        '  namespace ns2: events: watch',
        'Grant them with a Role and RoleBinding in each namespace (charts/batchyard creates them: rbac.create=true),',
        'or point the account at other credentials (kubeconfig, context).',
      ].join('\n'),
    );
  });

  it('leaves the user out when unknown', () => {
    const message = missingPermissionsMessage('a', undefined, [
      { namespace: 'n', group: 'batch', resource: 'cronjobs', verb: 'patch' },
    ]);
    expect(message.split('\n')[0]).toBe(
      "platform account 'a': the Kubernetes credentials lack 1 permission(s) the server needs:",
    );
  });
});

describe('REQUIRED_PERMISSIONS', () => {
  const flat = REQUIRED_PERMISSIONS.flatMap((p) =>
    p.verbs.map((v) => `${p.group}/${p.resource}${p.subresource ? `/${p.subresource}` : ''}:${v}`),
  );

  it('is exactly what the server calls: Jobs, CronJobs without list/watch/patch, pods by list/watch, events, quotas', () => {
    expect(flat).toEqual([
      'batch/jobs:create',
      'batch/jobs:get',
      'batch/jobs:list',
      'batch/jobs:watch',
      'batch/jobs:delete',
      'batch/cronjobs:create',
      'batch/cronjobs:get',
      'batch/cronjobs:update',
      'batch/cronjobs:delete',
      '/pods:list',
      '/pods:watch',
      '/pods/log:get',
      '/events:list',
      '/resourcequotas:list',
      '/resourcequotas:watch',
    ]);
  });

  it('never writes pods, events or quotas, and says what each grant is for', () => {
    const writes = ['create', 'update', 'patch', 'delete', 'deletecollection'];
    for (const p of REQUIRED_PERMISSIONS) {
      if (p.group === '') expect(p.verbs.filter((v) => writes.includes(v))).toEqual([]);
      expect(p.usedFor.length).toBeGreaterThan(10);
    }
  });

  it('a start-up check missing quotas names them (the launch would otherwise never queue on a quota)', () => {
    const message = missingPermissionsMessage('k8s', undefined, [
      { namespace: 'batch', group: '', resource: 'resourcequotas', verb: 'list' },
      { namespace: 'batch', group: '', resource: 'resourcequotas', verb: 'watch' },
    ]);
    expect(message).toContain('namespace batch: resourcequotas: list, watch');
  });
});

describe('serviceAccountNamespace', () => {
  it('reads the mounted namespace file, trimmed; undefined without one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-'));
    writeFileSync(join(dir, 'namespace'), 'team-a\n');
    expect(serviceAccountNamespace(join(dir, 'namespace'))).toBe('team-a');
    expect(serviceAccountNamespace(join(dir, 'missing'))).toBeUndefined();
  });
});

describe('credentialsName', () => {
  const kcWith = (user: {
    name: string;
    token?: string;
    authProvider?: { name: string; config: Record<string, string> };
  }) => {
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser({ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: false }, user);
    return kc;
  };
  const jwt = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  it("names a service-account token by its subject, read from in-cluster's token file too", () => {
    expect(credentialsName(kcWith({ name: 'x', token: jwt({ sub: 'system:serviceaccount:ns1:by' }) }))).toBe(
      'system:serviceaccount:ns1:by',
    );
    const dir = mkdtempSync(join(tmpdir(), 'sa-'));
    writeFileSync(join(dir, 'token'), jwt({ sub: 'system:serviceaccount:ns2:srv' }));
    const inCluster = kcWith({
      name: 'inClusterUser',
      authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } },
    });
    expect(credentialsName(inCluster)).toBe('system:serviceaccount:ns2:srv');
  });

  it('falls back to the kubeconfig user for opaque tokens', () => {
    expect(credentialsName(kcWith({ name: 'admin', token: 'opaque-token' }))).toBe('admin');
  });
});
