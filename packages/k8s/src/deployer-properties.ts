import { aliasOf, withoutPlatformPrefix } from './deployer-aliases.js';
import { checkCrossField } from './deployer-checks.js';
import { DEPLOYER_PROPERTY_KEYS } from './deployer-keys.js';
import {
  assembleInitContainer,
  type ClusterVersion,
  checkClusterVersion,
  checkPodShape,
} from './deployer-pod-checks.js';
import {
  type DeployerProperties,
  DeployerPropertiesError,
  emptyDeployerProperties,
  type PropertyIssue,
} from './deployer-types.js';

// Parsing a launch's deployer properties: layers of flat string maps (account defaults first, launch
// properties last) are merged by canonical key, every key is parsed and validated, then the checks
// that span keys run. All problems are collected and thrown together as DeployerPropertiesError.

export const KNOWN_DEPLOYER_PROPERTY_KEYS: readonly string[] = Object.keys(DEPLOYER_PROPERTY_KEYS);

/** `kubernetes.requests.cpu` → `requests.cpu`; SCDF aliases → Batchyard keys. */
export function canonicalPropertyKey(key: string): string {
  return aliasOf(key)?.key ?? withoutPlatformPrefix(key);
}

interface MergedEntry {
  key: string;
  value: string;
}

/**
 * Merges layers, later ones winning per canonical key, and keeps the spelling the winning layer
 * used so errors name the key the caller wrote. Two spellings of one key in the same layer is an error.
 */
export function mergePropertyLayers(layers: readonly Readonly<Record<string, string>>[]): {
  merged: Map<string, MergedEntry>;
  issues: PropertyIssue[];
} {
  const merged = new Map<string, MergedEntry>();
  const issues: PropertyIssue[] = [];
  for (const layer of layers) {
    const seen = new Map<string, string>();
    for (const [key, value] of Object.entries(layer)) {
      const canonical = canonicalPropertyKey(key);
      const earlier = seen.get(canonical);
      if (earlier !== undefined) {
        issues.push({ path: key, message: `same property as '${earlier}'; give it once` });
        continue;
      }
      seen.set(canonical, key);
      // SCDF's value format, where it differs, becomes Batchyard's before parsing.
      const convert = typeof value === 'string' ? aliasOf(key)?.value : undefined;
      merged.set(canonical, { key, value: convert ? convert(value) : value });
    }
  }
  return { merged, issues };
}

/**
 * Parses and validates deployer properties. `layers` are applied in order, e.g.
 * `[accountDefaults, launchProperties]`. Throws DeployerPropertiesError listing every problem.
 */
export interface ParseOptions {
  /** The account's cluster: properties that need a newer Kubernetes are refused, naming the version. */
  cluster?: ClusterVersion;
}

export function parseDeployerProperties(
  layers: readonly Readonly<Record<string, string>>[],
  options: ParseOptions = {},
): DeployerProperties {
  const { merged, issues } = mergePropertyLayers(layers);
  const props = emptyDeployerProperties();
  for (const [canonical, { key, value }] of merged) {
    // hasOwn: a key like 'toString' must be unknown, not Object.prototype's method.
    const spec = Object.hasOwn(DEPLOYER_PROPERTY_KEYS, canonical)
      ? DEPLOYER_PROPERTY_KEYS[canonical]
      : undefined;
    if (!spec) {
      issues.push({
        path: key,
        message: `unknown deployer property; known keys: ${KNOWN_DEPLOYER_PROPERTY_KEYS.join(', ')}`,
      });
      continue;
    }
    if (typeof value !== 'string') {
      issues.push({ path: key, message: 'value must be a string' });
      continue;
    }
    try {
      issues.push(...spec.apply(props, value, key));
    } catch (error) {
      issues.push({ path: key, message: error instanceof Error ? error.message : String(error) });
    }
  }
  const keyOf = (canonical: string): string => merged.get(canonical)?.key ?? canonical;
  if (issues.length === 0) issues.push(...assembleInitContainer(props, keyOf));
  if (issues.length === 0) {
    issues.push(...checkCrossField(props, keyOf));
    const envNames = new Set([
      ...Object.keys(props.environmentVariables),
      ...props.secretKeyRefs.map((r) => r.envVarName),
      ...props.configMapKeyRefs.map((r) => r.envVarName),
    ]);
    issues.push(...checkPodShape(props, keyOf, envNames));
    if (options.cluster) issues.push(...checkClusterVersion(props, keyOf, options.cluster));
  }
  if (issues.length > 0) throw new DeployerPropertiesError(issues);
  return props;
}

/** Like parseDeployerProperties, but returns the issues instead of throwing. */
export function validateDeployerProperties(
  layers: readonly Readonly<Record<string, string>>[],
  options: ParseOptions = {},
): { ok: true; properties: DeployerProperties } | { ok: false; issues: PropertyIssue[] } {
  try {
    return { ok: true, properties: parseDeployerProperties(layers, options) };
  } catch (error) {
    if (error instanceof DeployerPropertiesError) return { ok: false, issues: error.issues };
    throw error;
  }
}
