import type { CoreV1Api, V1ConfigMap, V1Container, V1Pod, V1Secret } from '@kubernetes/client-node';
import { parseQuantity } from './quantity.js';

/**
 * Environment of a container, resolved the way the kubelet does: envFrom first, then env (later
 * entries win), valueFrom through the API, and $(VAR) references to variables defined earlier.
 */

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
