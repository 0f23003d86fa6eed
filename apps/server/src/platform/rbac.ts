import { existsSync, readFileSync } from 'node:fs';
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';

/**
 * What the server needs in each namespace it launches into, and the start-up check that refuses to
 * run without it: a server missing `watch` on pods would start, accept launches and then never see
 * them finish, so failing at once with the full list is kinder than failing later one verb at a time.
 * charts/batchyard grants exactly these rules (a test compares the rendered Role with this list).
 */
export interface Permission {
  group: string;
  resource: string;
  subresource?: string;
  verbs: readonly string[];
  /** The calls that need it (README's RBAC table is checked against this). */
  usedFor: string;
}

/**
 * Exactly what the server calls (packages/k8s/src/client.ts, informer.ts; platform/*): nothing
 * more, so a Role granting these is least privilege, and nothing less, so a server that starts
 * works. CronJobs are created, read, replaced and deleted, never listed, watched or patched;
 * pods are listed and watched (by label), never read one by one.
 */
export const REQUIRED_PERMISSIONS: readonly Permission[] = [
  {
    group: 'batch',
    resource: 'jobs',
    verbs: ['create', 'get', 'list', 'watch', 'delete'],
    usedFor:
      'launch (create; get on a retried launch), the Job informer (list, watch), stop and cleanup (delete)',
  },
  {
    group: 'batch',
    resource: 'cronjobs',
    verbs: ['create', 'get', 'update', 'delete'],
    usedFor: 'schedules: create, read, replace on edit, delete',
  },
  {
    group: '',
    resource: 'pods',
    verbs: ['list', 'watch'],
    usedFor: 'the Pod informer; finding the pod whose log is read',
  },
  { group: '', resource: 'pods', subresource: 'log', verbs: ['get'], usedFor: 'execution logs' },
  {
    group: '',
    resource: 'events',
    verbs: ['list'],
    usedFor: 'a Job without pods: its FailedCreate events say why (PodForbidden, QuotaExceeded)',
  },
  {
    group: '',
    resource: 'resourcequotas',
    verbs: ['list', 'watch'],
    usedFor: 'queueing a launch the namespace quota cannot take yet (list; watch for the quota informer)',
  },
];

/** One denied check: `verb` on `resource` (with its group) in `namespace`. */
export interface MissingPermission {
  namespace: string;
  group: string;
  resource: string;
  verb: string;
}

export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The pod's own namespace when running in a cluster, from the mounted service account. */
export function serviceAccountNamespace(file = SERVICE_ACCOUNT_NAMESPACE_FILE): string | undefined {
  if (!existsSync(file)) return undefined;
  const ns = readFileSync(file, 'utf8').trim();
  return ns === '' ? undefined : ns;
}

const resourceName = (group: string, resource: string): string => (group ? `${resource}.${group}` : resource);

/** Groups denials by namespace and resource so each line names a resource once with all its verbs. */
export function missingPermissionsMessage(
  account: string,
  user: string | undefined,
  missing: readonly MissingPermission[],
): string {
  const byNamespace = new Map<string, Map<string, string[]>>();
  for (const m of missing) {
    const resources = byNamespace.get(m.namespace) ?? new Map<string, string[]>();
    byNamespace.set(m.namespace, resources);
    const key = resourceName(m.group, m.resource);
    resources.set(key, [...(resources.get(key) ?? []), m.verb]);
  }
  const lines: string[] = [];
  for (const [namespace, resources] of byNamespace) {
    for (const [resource, verbs] of resources) {
      lines.push(`  namespace ${namespace}: ${resource}: ${verbs.join(', ')}`);
    }
  }
  const who = user ? ` (${user})` : '';
  return [
    `platform account '${account}': the Kubernetes credentials${who} lack ${missing.length} permission(s) the server needs:`,
    ...lines,
    'Grant them with a Role and RoleBinding in each namespace (charts/batchyard creates them: rbac.create=true),',
    'or point the account at other credentials (kubeconfig, context).',
  ].join('\n');
}

export class MissingPermissionsError extends Error {
  override readonly name = 'MissingPermissionsError';
  constructor(
    message: string,
    readonly missing: readonly MissingPermission[],
  ) {
    super(message);
  }
}

/** Every (namespace, permission, verb) the API server denies, asked with SelfSubjectAccessReviews. */
export async function findMissingPermissions(
  kc: KubeConfig,
  namespaces: readonly string[],
  required: readonly Permission[] = REQUIRED_PERMISSIONS,
): Promise<MissingPermission[]> {
  const api = kc.makeApiClient(AuthorizationV1Api);
  const checks = namespaces.flatMap((namespace) =>
    required.flatMap((p) => p.verbs.map((verb) => ({ namespace, p, verb }))),
  );
  const results = await Promise.all(
    checks.map(async ({ namespace, p, verb }) => {
      const review = await api.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              namespace,
              group: p.group,
              resource: p.resource,
              subresource: p.subresource,
              verb,
            },
          },
        },
      });
      const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
      return review.status?.allowed ? undefined : { namespace, group: p.group, resource, verb };
    }),
  );
  return results.filter((r): r is MissingPermission => r !== undefined);
}

/**
 * Who the credentials are, for the message: a service-account token names its account in the JWT
 * `sub` claim (system:serviceaccount:<ns>:<name>), which says more than in-cluster's 'inClusterUser'.
 */
export function credentialsName(kc: KubeConfig): string | undefined {
  const user = kc.getCurrentUser();
  if (!user) return undefined;
  let token = user.token;
  const tokenFile = user.authProvider?.config?.tokenFile;
  if (!token && typeof tokenFile === 'string' && existsSync(tokenFile))
    token = readFileSync(tokenFile, 'utf8');
  const payload = token?.trim().split('.')[1];
  if (payload) {
    try {
      const sub: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).sub;
      if (typeof sub === 'string' && sub) return sub;
    } catch {
      // not a JWT: fall back to the kubeconfig's user name
    }
  }
  return user.name;
}

/** Throws MissingPermissionsError naming every missing verb on every resource. */
export async function assertPermissions(
  kc: KubeConfig,
  account: string,
  namespaces: readonly string[],
): Promise<void> {
  const missing = await findMissingPermissions(kc, namespaces);
  if (missing.length === 0) return;
  throw new MissingPermissionsError(
    missingPermissionsMessage(account, credentialsName(kc), missing),
    missing,
  );
}
