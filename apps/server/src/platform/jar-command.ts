import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How the local platform runs an executable jar registered as SCDF users register them:
 * `file:/opt/apps/etl.jar` (or `file:///…`) and `maven://group:artifact[:extension[:classifier]]:version`,
 * resolved in a local Maven repository (nothing is downloaded), run as `java -jar <jar>`.
 */

export interface JarOptions {
  /** Local Maven repository (default ~/.m2/repository). */
  mavenLocalRepository?: string;
  /** The java executable (default `java`, found on PATH). */
  java?: string;
}

export const DEFAULT_MAVEN_REPOSITORY = join(homedir(), '.m2', 'repository');

/** The jar a `file:` or `maven://` URI names, or undefined for any other URI. */
export function jarPath(uri: string, repository = DEFAULT_MAVEN_REPOSITORY): string | undefined {
  if (uri.startsWith('file:')) {
    const path = uri.startsWith('file://') ? fileURLToPath(uri) : uri.slice('file:'.length);
    return path.endsWith('.jar') ? path : undefined;
  }
  const m = /^maven:\/\/([^:/\s]+):([^:/\s]+)(?::([^:/\s]+))?(?::([^:/\s]+))?:([^:/\s]+)$/.exec(uri);
  if (!m) return undefined;
  const [, group, artifact, extension = 'jar', classifier, version] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string | undefined,
    string,
  ];
  const file = `${artifact}-${version}${classifier ? `-${classifier}` : ''}.${extension}`;
  return join(repository, ...group.split('.'), artifact, version, file);
}

/** `java -jar <jar>` for a jar URI whose file exists; `{ missing }` when it does not; undefined otherwise. */
export function jarCommand(
  uri: string,
  options: JarOptions = {},
): string[] | { missing: string } | undefined {
  const jar = jarPath(uri, options.mavenLocalRepository);
  if (!jar) return undefined;
  if (!existsSync(jar)) return { missing: jar };
  return [options.java ?? 'java', '-jar', jar];
}
