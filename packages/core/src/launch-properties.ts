import { ApiError, type ErrorDetail } from './errors.js';
import { redactArgument, redactStringMap, redactValue } from './redaction.js';

/**
 * Launch properties in SCDF's form, split by what they configure:
 *   app.<app>.<key>=v        → the app's command-line argument --<key>=v
 *   app.*.<key>=v            → the same for every app of the task
 *   deployer.<app>.<key>=v   → platform (deployer) property <key> for that app
 *   deployer.*.<key>=v       → platform property for every app
 *   version.<app>=1.2        → run that registered version of the app
 * Deployer keys may carry SCDF's platform prefix (`kubernetes.limits.memory`), which is dropped.
 */

export interface LaunchProperties {
  appArgs: Record<string, string>;
  deployer: Record<string, string>;
  version?: string;
}

const PLATFORM_PREFIXES = [
  'kubernetes.',
  'local.',
  'spring.cloud.deployer.kubernetes.',
  'spring.cloud.deployer.local.',
];

function stripPlatformPrefix(key: string): string {
  for (const p of PLATFORM_PREFIXES) if (key.startsWith(p)) return key.slice(p.length);
  return key;
}

/** Properties for app (or label) `target` of a launch; wildcards first, specific keys win. */
export function splitLaunchProperties(
  properties: Readonly<Record<string, string>>,
  target: string,
  path = 'body.properties',
): LaunchProperties {
  const result: LaunchProperties = { appArgs: {}, deployer: {} };
  const specific: LaunchProperties = { appArgs: {}, deployer: {} };
  const problems: ErrorDetail[] = [];
  for (const [key, value] of Object.entries(properties)) {
    const [kind, app, ...rest] = key.split('.');
    const sub = rest.join('.');
    if (kind === 'version' && app && rest.length === 0) {
      if (app === target) result.version = value;
      continue;
    }
    if ((kind === 'app' || kind === 'deployer') && app && sub) {
      if (app !== '*' && app !== target) continue;
      const into = app === '*' ? result : specific;
      if (kind === 'app') into.appArgs[sub] = value;
      else into.deployer[stripPlatformPrefix(sub)] = value;
      continue;
    }
    problems.push({
      path: `${path}.${key}`,
      message: 'expected app.<app>.<key>, deployer.<app>.<key>, deployer.*.<key> or version.<app>',
    });
  }
  if (problems.length > 0) {
    throw new ApiError(
      'INVALID_PROPERTY',
      problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      problems,
    );
  }
  return {
    appArgs: { ...result.appArgs, ...specific.appArgs },
    deployer: { ...result.deployer, ...specific.deployer },
    ...(result.version ? { version: result.version } : {}),
  };
}

/** A launch property's value as it may be stored and shown (see redaction.ts). */
export function sanitizeValue(key: string, value: string): string {
  return redactValue(key, value);
}

export function sanitizeProperties(properties: Readonly<Record<string, string>>): Record<string, string> {
  return redactStringMap(properties);
}

/** `--key=value` arguments (launch arguments pass through; secret-looking ones are masked). */
export function sanitizeArguments(args: readonly string[]): string[] {
  return args.map(redactArgument);
}

const PARTITION_PREFIX = 'partition.';

/**
 * Deployer properties of a task that partitions remotely: `deployer.<app>.partition.<key>` (e.g.
 * `partition.limits.memory`) configures only the executions launched for its partitions, over the
 * app's own `deployer.<app>.<key>`. Returns the task's own properties and the partitions' merged ones.
 */
export function splitPartitionDeployer(deployer: Readonly<Record<string, string>>): {
  own: Record<string, string>;
  partition: Record<string, string>;
  /** Only the `partition.` keys, prefix removed (for validation messages). */
  overrides: Record<string, string>;
} {
  const own: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  for (const [key, value] of Object.entries(deployer)) {
    if (key.startsWith(PARTITION_PREFIX))
      overrides[stripPlatformPrefix(key.slice(PARTITION_PREFIX.length))] = value;
    else own[key] = value;
  }
  return { own, partition: { ...own, ...overrides }, overrides };
}
