import { ENV_NAME_RE } from './deployer-schemas.js';
import type { DeployerProperties, PropertyIssue, ResourceName } from './deployer-types.js';
import { labelValueError, qualifiedNameError } from './names.js';
import { compareQuantities, parseQuantity, QuantityError } from './quantity.js';

// Checks shared by several deployer property keys, and the cross-key checks that can only run once
// every layer is merged (requests ≤ limits, mounts refer to volumes, env names unique).

/** Labels and annotations Batchyard sets itself; a user value would break selection or tracing. */
export const RESERVED_LABEL_PREFIX = 'batchyard.io/';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Env names the job builder sets; user values must not shadow them (the database URL above all). */
export const RESERVED_ENV_PREFIX = 'BATCHYARD_';

export function checkQuantity(key: string, text: string, wholeNumber: boolean): PropertyIssue[] {
  try {
    const quantity = parseQuantity(text);
    if (quantity.nanos < 0n) return [{ path: key, message: `'${text}' must not be negative` }];
    if (wholeNumber && quantity.nanos % 1_000_000_000n !== 0n) {
      return [{ path: key, message: `'${text}' must be a whole number` }];
    }
    return [];
  } catch (error) {
    const message = error instanceof QuantityError ? error.message : String(error);
    return [{ path: key, message }];
  }
}

export function checkStringMap(
  key: string,
  map: Record<string, string>,
  kind: 'label' | 'annotation',
  reservedKeys = true,
): PropertyIssue[] {
  const issues: PropertyIssue[] = [];
  for (const [name, value] of Object.entries(map)) {
    const keyError = qualifiedNameError(name);
    if (keyError) issues.push({ path: `${key}.${name}`, message: `invalid ${kind} key: ${keyError}` });
    if (reservedKeys && (name.startsWith(RESERVED_LABEL_PREFIX) || name === MANAGED_BY_LABEL)) {
      issues.push({ path: `${key}.${name}`, message: `${kind} key '${name}' is reserved for Batchyard` });
    }
    const valueError = kind === 'label' ? labelValueError(value) : undefined;
    if (valueError)
      issues.push({ path: `${key}.${name}`, message: `invalid label value '${value}': ${valueError}` });
  }
  return issues;
}

export function checkEnvironment(key: string, names: string[]): PropertyIssue[] {
  return names.flatMap((name) => {
    if (!ENV_NAME_RE.test(name)) {
      return [
        { path: `${key}.${name}`, message: "env var name must consist of letters, digits, '_', '-' or '.'" },
      ];
    }
    if (name.startsWith(RESERVED_ENV_PREFIX)) {
      return [
        {
          path: `${key}.${name}`,
          message: `env var names starting with ${RESERVED_ENV_PREFIX} are reserved`,
        },
      ];
    }
    return [];
  });
}

const RESOURCES: ResourceName[] = ['cpu', 'memory', 'ephemeral-storage'];

/** Checks that need the merged result. `keyOf` maps a canonical key back to the caller's spelling. */
export function checkCrossField(
  props: DeployerProperties,
  keyOf: (canonical: string) => string,
): PropertyIssue[] {
  const issues: PropertyIssue[] = [];
  for (const name of RESOURCES) {
    const request = props.requests[name];
    const limit = props.limits[name];
    if (request !== undefined && limit !== undefined && compareQuantities(request, limit) > 0) {
      issues.push({
        path: keyOf(`requests.${name}`),
        message: `request ${request} is greater than limit ${limit} (limits.${name})`,
      });
    }
  }
  const volumeNames = new Set<string>();
  props.volumes.forEach((volume, index) => {
    if (volumeNames.has(volume.name)) {
      issues.push({
        path: `${keyOf('volumes')}[${index}].name`,
        message: `volume '${volume.name}' is declared twice`,
      });
    }
    volumeNames.add(volume.name);
  });
  props.volumeMounts.forEach((mount, index) => {
    if (!volumeNames.has(mount.name)) {
      issues.push({
        path: `${keyOf('volumeMounts')}[${index}].name`,
        message: `mount refers to volume '${mount.name}', which is not in volumes`,
      });
    }
  });
  const envSeen = new Set(Object.keys(props.environmentVariables));
  const refs = [
    ...props.secretKeyRefs.map((ref, index) => ({ key: 'secretKeyRefs', ref, index })),
    ...props.configMapKeyRefs.map((ref, index) => ({ key: 'configMapKeyRefs', ref, index })),
  ];
  for (const { key, ref, index } of refs) {
    const path = `${keyOf(key)}[${index}].envVarName`;
    if (ref.envVarName.startsWith(RESERVED_ENV_PREFIX)) {
      issues.push({ path, message: `env var names starting with ${RESERVED_ENV_PREFIX} are reserved` });
    } else if (envSeen.has(ref.envVarName)) {
      issues.push({ path, message: `env var '${ref.envVarName}' is set more than once` });
    }
    envSeen.add(ref.envVarName);
  }
  return issues;
}
