import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian source version that provision.sh builds; the cache directory is named after it. */
export const K8S_DEB_VERSION = '1.20.5+really1.20.2';

/** Repository root: test/cluster/{src,dist}/paths.* → three levels up. */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const provisionScript: string = join(repoRoot, 'test', 'cluster', 'provision.sh');

/** Where the Kubernetes binaries are: BATCHYARD_K8S_BIN, else provision.sh's cache. */
export function kubeBinDir(): string {
  const fromEnv = process.env.BATCHYARD_K8S_BIN;
  if (fromEnv) return fromEnv;
  const cacheRoot = process.env.BATCHYARD_K8S_CACHE ?? '/var/cache/batchyard/k8s';
  return join(cacheRoot, K8S_DEB_VERSION, 'bin');
}

export function etcdBinary(): string {
  const fromEnv = process.env.BATCHYARD_ETCD;
  if (fromEnv) return fromEnv;
  for (const candidate of ['/usr/bin/etcd', '/usr/local/bin/etcd']) {
    if (existsSync(candidate)) return candidate;
  }
  return 'etcd';
}

export const provisionHint = `Run ${provisionScript} (as root) once to build and cache the control plane binaries.`;
