import type { CoreV1Api, V1ConfigMap, V1Container, V1Pod, V1Secret } from '@kubernetes/client-node';

/**
 * Environment of a container, resolved the way the kubelet does: envFrom first, then env (later
 * entries win), valueFrom through the API, and $(VAR) references to variables defined earlier.
 */

/** Kubernetes resource quantities ("500m", "128Mi", "1G", "1e3") as plain numbers. */
const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

export function parseQuantity(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) throw new Error(`invalid quantity ${q}`);
  const value = Number(m[1]);
  const suffix = m[2] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  if (factor === undefined) throw new Error(`invalid quantity suffix in ${q}`);
  return value * factor;
}

/** A missing Secret/ConfigMap/key: the kubelet reports CreateContainerConfigError and retries. */
export class ContainerConfigError extends Error {}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 404;
}

/** Expand $(NAME) from `vars`; `$$(` escapes; unknown references stay as written. */
export function expandRefs(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && name in vars ? vars[name]! : match;
  });
}

function fieldValue(pod: V1Pod, path: string): string {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (labelOrAnnotation) {
    const map = labelOrAnnotation[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[labelOrAnnotation[2]!] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.podIP':
    case 'status.podIPs':
      return '127.0.0.1';
    default:
      throw new ContainerConfigError(`unsupported fieldRef ${path}`);
  }
}

function resourceValue(container: V1Container, resource: string, divisor?: string): string {
  const [kind, name] = resource.split('.') as [string, string];
  const source = kind === 'limits' ? container.resources?.limits : container.resources?.requests;
  const raw = source?.[name] ?? (kind === 'requests' ? container.resources?.limits?.[name] : undefined);
  const value = parseQuantity(raw) ?? 0;
  const div = parseQuantity(divisor) ?? 1;
  return String(Math.ceil(value / div));
}

export async function resolveEnv(
  core: CoreV1Api,
  pod: V1Pod,
  container: V1Container,
): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const secrets = new Map<string, V1Secret | null>();
  const configMaps = new Map<string, V1ConfigMap | null>();
  const secret = async (name: string): Promise<V1Secret | null> => {
    if (!secrets.has(name)) {
      try {
        secrets.set(name, await core.readNamespacedSecret({ name, namespace }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        secrets.set(name, null);
      }
    }
    return secrets.get(name) ?? null;
  };
  const configMap = async (name: string): Promise<V1ConfigMap | null> => {
    if (!configMaps.has(name)) {
      try {
        configMaps.set(name, await core.readNamespacedConfigMap({ name, namespace }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        configMaps.set(name, null);
      }
    }
    return configMaps.get(name) ?? null;
  };
  const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.secretRef) {
      const s = await secret(from.secretRef.name ?? '');
      if (!s && !from.secretRef.optional)
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      for (const [k, v] of Object.entries(s?.data ?? {})) env[prefix + k] = decode(v);
      for (const [k, v] of Object.entries(s?.stringData ?? {})) env[prefix + k] = v;
    }
    if (from.configMapRef) {
      const c = await configMap(from.configMapRef.name ?? '');
      if (!c && !from.configMapRef.optional) {
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(c?.data ?? {})) env[prefix + k] = v;
    }
  }
  for (const e of container.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      env[e.name] = expandRefs(e.value ?? '', env);
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const value = (await secret(ref.name ?? ''))?.data?.[ref.key];
      if (value === undefined && !ref.optional) {
        throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${namespace}/${ref.name}`);
      }
      if (value !== undefined) env[e.name] = decode(value);
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const value = (await configMap(ref.name ?? ''))?.data?.[ref.key];
      if (value === undefined && !ref.optional) {
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${namespace}/${ref.name}`);
      }
      if (value !== undefined) env[e.name] = value;
    } else if (vf.fieldRef) {
      env[e.name] = fieldValue(pod, vf.fieldRef.fieldPath);
    } else if (vf.resourceFieldRef) {
      const r = vf.resourceFieldRef;
      const target = r.containerName
        ? (pod.spec?.containers.find((c) => c.name === r.containerName) ?? container)
        : container;
      env[e.name] = resourceValue(target, r.resource, r.divisor as string | undefined);
    }
  }
  return env;
}
