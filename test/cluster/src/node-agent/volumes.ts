import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { CoreV1Api, V1Container, V1KeyToPath, V1Pod, V1VolumeProjection } from '@kubernetes/client-node';

/**
 * Volume mounts for pods that run as local processes: secret, configMap, emptyDir and projected
 * (serviceAccountToken, secret, configMap sources) volumes —
 * which includes the service-account token volume the ServiceAccount admission plugin adds to
 * every pod, so unmodified in-cluster clients (client-node's loadFromCluster) find
 * /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}.
 *
 * The agent writes each volume's files under `<podDir>/volumes/<name>` and starts the container in
 * its own mount namespace (unshare, needs root) where each is bind-mounted at its mountPath. A
 * mountPath whose directory does not exist on the host (/etc/batchyard) is created inside an
 * overlay of its nearest existing ancestor (/etc) with a tmpfs upper layer, so the host's
 * filesystem is never changed and other pods do not see each other's mounts. Without mount
 * namespaces (not root) containers run without volumes, as before.
 *
 * The kubelet also sets KUBERNETES_SERVICE_HOST/PORT (the `kubernetes` Service); without
 * kube-proxy that ClusterIP leads nowhere, so the agent points them at the API server itself.
 */

let unshareWorks: boolean | undefined;
export function canMountPrivately(): boolean {
  unshareWorks ??=
    spawnSync(
      'unshare',
      ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', 'mount -t tmpfs none /mnt'],
      {
        stdio: 'ignore',
      },
    ).status === 0;
  return unshareWorks;
}

export class VolumeNotReadyError extends Error {}

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

function writeKeys(dir: string, data: Record<string, Buffer>, items: V1KeyToPath[] | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const entries = items?.length ? items.map((i) => [i.path, data[i.key]] as const) : Object.entries(data);
  for (const [path, value] of entries) {
    if (value === undefined) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), value, { mode: 0o644 });
  }
}

const decode = (m: Record<string, string> | undefined): Record<string, Buffer> =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
const utf8 = (m: Record<string, string> | undefined): Record<string, Buffer> =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')]));

/**
 * A projected volume: its serviceAccountToken sources are asked of the TokenRequest API exactly as
 * a kubelet does (bound to this pod, the source's audience and expiry), secret and configMap
 * sources are written like their own volumes. Written once at container start: the agent does not
 * rotate tokens (the kubelet refreshes at 80% of their lifetime; tests are far shorter than 10 min).
 */
async function writeProjected(
  core: CoreV1Api,
  pod: V1Pod,
  volumeName: string,
  sources: readonly V1VolumeProjection[],
  dir: string,
): Promise<void> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const data: Record<string, Buffer> = {};
  for (const source of sources) {
    if (source.serviceAccountToken) {
      const sat = source.serviceAccountToken;
      const request = await core
        .createNamespacedServiceAccountToken({
          name: pod.spec?.serviceAccountName ?? 'default',
          namespace,
          body: {
            spec: {
              audiences: sat.audience ? [sat.audience] : [],
              expirationSeconds: sat.expirationSeconds ?? 3600,
              boundObjectRef: {
                kind: 'Pod',
                apiVersion: 'v1',
                name: pod.metadata?.name,
                uid: pod.metadata?.uid,
              },
            },
          },
        })
        .catch((err: unknown) => {
          throw new VolumeNotReadyError(
            `MountVolume.SetUp failed for volume "${volumeName}": token request: ${String(err)}`,
          );
        });
      data[sat.path] = Buffer.from(request.status?.token ?? '', 'utf8');
    } else if (source.secret) {
      const secret = await core
        .readNamespacedSecret({ name: source.secret.name ?? '', namespace })
        .catch(() => undefined);
      if (!secret && !source.secret.optional) {
        throw new VolumeNotReadyError(
          `MountVolume.SetUp failed for volume "${volumeName}": secret "${source.secret.name}" not found`,
        );
      }
      const all = { ...utf8(secret?.stringData), ...decode(secret?.data) };
      for (const [k, v] of pick(all, source.secret.items)) data[k] = v;
    } else if (source.configMap) {
      const cm = await core
        .readNamespacedConfigMap({ name: source.configMap.name ?? '', namespace })
        .catch(() => undefined);
      if (!cm && !source.configMap.optional) {
        throw new VolumeNotReadyError(
          `MountVolume.SetUp failed for volume "${volumeName}": configmap "${source.configMap.name}" not found`,
        );
      }
      const all = { ...utf8(cm?.data), ...decode(cm?.binaryData) };
      for (const [k, v] of pick(all, source.configMap.items)) data[k] = v;
    }
  }
  writeKeys(dir, data, undefined);
}

function pick(data: Record<string, Buffer>, items: V1KeyToPath[] | undefined): [string, Buffer][] {
  if (!items?.length) return Object.entries(data);
  return items.flatMap((i) => (data[i.key] ? [[i.path, data[i.key]!] as [string, Buffer]] : []));
}

/** Materialises the container's supported volumes; throws VolumeNotReadyError to retry later. */
export async function prepareMounts(
  core: CoreV1Api,
  pod: V1Pod,
  container: V1Container,
  podDir: string,
): Promise<Mount[]> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const volume = pod.spec?.volumes?.find((v) => v.name === vm.name);
    if (!volume || vm.subPath) continue; // subPath and unknown volumes: not supported, not mounted
    const dir = join(podDir, 'volumes', vm.name);
    if (volume.secret) {
      const name = volume.secret.secretName ?? '';
      const secret = await core.readNamespacedSecret({ name, namespace }).catch(() => undefined);
      if (!secret) {
        if (volume.secret.optional) continue;
        throw new VolumeNotReadyError(
          `MountVolume.SetUp failed for volume "${vm.name}": secret "${name}" not found`,
        );
      }
      writeKeys(dir, { ...utf8(secret.stringData), ...decode(secret.data) }, volume.secret.items);
    } else if (volume.configMap) {
      const name = volume.configMap.name ?? '';
      const cm = await core.readNamespacedConfigMap({ name, namespace }).catch(() => undefined);
      if (!cm) {
        if (volume.configMap.optional) continue;
        throw new VolumeNotReadyError(
          `MountVolume.SetUp failed for volume "${vm.name}": configmap "${name}" not found`,
        );
      }
      writeKeys(dir, { ...utf8(cm.data), ...decode(cm.binaryData) }, volume.configMap.items);
    } else if (volume.emptyDir) {
      mkdirSync(dir, { recursive: true, mode: 0o777 });
    } else if (volume.projected) {
      await writeProjected(core, pod, vm.name, volume.projected.sources ?? [], dir);
    } else {
      continue;
    }
    mounts.push({ source: dir, target: vm.mountPath, readOnly: vm.readOnly ?? !volume.emptyDir });
  }
  return mounts;
}

/** Nearest existing ancestor, symlinks resolved (/var/run/x → /run), and the rest of the path. */
function resolveTarget(target: string): { existing: string; path: string } {
  let existing = posix.normalize(target);
  const rest: string[] = [];
  while (!existsSync(existing)) {
    rest.unshift(posix.basename(existing));
    existing = posix.dirname(existing);
  }
  const real = realpathSync(existing);
  return { existing: real, path: posix.join(real, ...rest) };
}

const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** argv that bind-mounts `mounts` in a private mount namespace, then execs `argv`. */
export function withMounts(mounts: readonly Mount[], argv: readonly string[], podDir: string): string[] {
  if (mounts.length === 0) return [...argv];
  const lines = ['set -e'];
  const overlays = new Map<string, string>();
  const resolved = mounts.map((m) => ({ ...m, ...resolveTarget(m.target) }));
  for (const m of resolved) {
    if (m.existing !== m.path && !overlays.has(m.existing)) {
      if (m.existing === '/') throw new Error(`cannot mount at ${m.target}: create it on the host first`);
      overlays.set(m.existing, join(podDir, 'overlays', String(overlays.size)));
    }
  }
  // Shallow ancestors first, so a deeper overlay sits on top of a shallower one.
  for (const [lower, work] of [...overlays].sort(([a], [b]) => a.length - b.length)) {
    mkdirSync(work, { recursive: true });
    lines.push(
      `mount -t tmpfs none ${q(work)}`,
      `mkdir ${q(`${work}/u`)} ${q(`${work}/w`)}`,
      `mount -t overlay overlay -o ${q(`lowerdir=${lower},upperdir=${work}/u,workdir=${work}/w`)} ${q(lower)}`,
    );
  }
  // Parents before children; but a mount over an ancestor of the pod directory (an emptyDir at
  // /tmp when pods live under /tmp) would hide the other mounts' sources, so those go last.
  const hides = (m: { path: string }): number =>
    `${podDir}/`.startsWith(`${m.path.replace(/\/$/, '')}/`) ? 1 : 0;
  for (const m of resolved.sort((a, b) => hides(a) - hides(b) || a.path.length - b.path.length)) {
    lines.push(`mkdir -p ${q(m.path)}`, `mount --bind ${q(m.source)} ${q(m.path)}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${q(m.path)}`);
  }
  lines.push('exec "$@"');
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    lines.join('\n'),
    'mounts',
    ...argv,
  ];
}

/** KUBERNETES_SERVICE_HOST/PORT for the API server at `server` (https://host:port). */
export function kubernetesServiceEnv(server: string | undefined): Record<string, string> {
  if (!server) return {};
  const url = new URL(server);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return {
    KUBERNETES_SERVICE_HOST: url.hostname,
    KUBERNETES_SERVICE_PORT: port,
    KUBERNETES_SERVICE_PORT_HTTPS: port,
  };
}
