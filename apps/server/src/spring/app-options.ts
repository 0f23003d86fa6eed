import { jarPath } from '../platform/jar-command.js';
import type { ImageLabelCache } from './image-labels.js';
import { readJarEntry } from './jar-entry.js';

/**
 * An app's options as SCDF lists them: the `properties` of the Spring Boot configuration metadata
 * (`META-INF/spring-configuration-metadata.json`, written by spring-boot-configuration-processor)
 * in the app's metadata jar (its `metadataUri`) or in the app's own jar. Only `file:` and
 * `maven://` jars are read (from the local Maven repository; nothing is downloaded).
 */

export interface AppOption {
  name: string;
  type: string | null;
  description: string | null;
  defaultValue: unknown;
  sourceType: string | null;
}

const METADATA = [
  'META-INF/spring-configuration-metadata.json',
  'BOOT-INF/classes/META-INF/spring-configuration-metadata.json',
];

interface MetadataProperty {
  name?: unknown;
  type?: unknown;
  description?: unknown;
  defaultValue?: unknown;
  sourceType?: unknown;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The options in a metadata document, sorted by name. */
export function parseMetadata(json: string): AppOption[] {
  const doc = JSON.parse(json) as { properties?: MetadataProperty[] };
  return (doc.properties ?? [])
    .filter((p): p is MetadataProperty & { name: string } => typeof p.name === 'string')
    .map((p) => ({
      name: p.name,
      type: text(p.type),
      description: text(p.description),
      defaultValue: p.defaultValue ?? null,
      sourceType: text(p.sourceType),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The options of an app from the first of `uris` that is a readable jar holding metadata, or a
 * `docker:` image carrying SCDF's metadata label (when `images` is given: it reads registries);
 * undefined when none is (a missing jar, no metadata file, no label).
 */
export async function appOptions(
  uris: readonly (string | null | undefined)[],
  mavenLocalRepository?: string,
  images?: ImageLabelCache,
): Promise<AppOption[] | undefined> {
  for (const uri of uris) {
    if (!uri) continue;
    if (uri.startsWith('docker:')) {
      const label = images ? await images.label(uri) : undefined;
      if (!label) continue;
      try {
        return parseMetadata(label);
      } catch {
        continue; // a label that is not metadata JSON: as if there were none
      }
    }
    const jar = jarPath(uri, mavenLocalRepository);
    if (!jar) continue;
    const entry = await readJarEntry(jar, METADATA).catch(() => undefined);
    if (entry) return parseMetadata(entry.toString('utf8'));
  }
  return undefined;
}
