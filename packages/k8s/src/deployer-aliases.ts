// SCDF's spellings of deployer properties that Batchyard names differently: the one table of them.
// A launch may use either spelling (never both in one layer); errors name the spelling it used.
// Keys SCDF has that Batchyard also calls the same (e.g. `limits.memory`, `affinity.nodeAffinity`)
// are ordinary keys of the registry (deployer-keys.ts, deployer-pod-keys.ts), not aliases.

export interface DeployerAlias {
  /** Batchyard's key. */
  key: string;
  /** SCDF's value format → Batchyard's, when they differ. */
  value?: (text: string) => string;
  /** What differs, for the README's SCDF table. */
  note: string;
}

export const DEPLOYER_PROPERTY_ALIASES: Readonly<Record<string, DeployerAlias>> = {
  imagePullSecret: { key: 'imagePullSecrets', note: 'one Secret name (a list is accepted too)' },
  deploymentLabels: { key: 'labels', note: 'same `k:v` list' },
  'limits.gpuCount': { key: 'limits.gpu', note: 'same whole number' },
  'limits.gpuVendor': {
    key: 'gpuVendor',
    // SCDF appends `/gpu` to the vendor (`nvidia.com` → `nvidia.com/gpu`); a full name is kept.
    value: (text) => (text.includes('/') ? text.trim() : `${text.trim()}/gpu`),
    note: 'SCDF gives the vendor domain (`nvidia.com`) and appends `/gpu`; a full resource name is kept as given',
  },
  taskServiceAccountName: { key: 'serviceAccountName', note: 'same ServiceAccount name' },
};

const KUBERNETES_PREFIX = 'kubernetes.';

/** `kubernetes.requests.cpu` → `requests.cpu`: SCDF's platform prefix is optional. */
export function withoutPlatformPrefix(key: string): string {
  const trimmed = key.trim();
  return trimmed.startsWith(KUBERNETES_PREFIX) ? trimmed.slice(KUBERNETES_PREFIX.length) : trimmed;
}

/** The alias entry a key spells, if it is one of SCDF's. */
export function aliasOf(key: string): DeployerAlias | undefined {
  const bare = withoutPlatformPrefix(key);
  return Object.hasOwn(DEPLOYER_PROPERTY_ALIASES, bare) ? DEPLOYER_PROPERTY_ALIASES[bare] : undefined;
}
