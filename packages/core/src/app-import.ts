/**
 * SCDF's bulk-import properties format:
 *   task.timestamp=docker:springcloudtask/timestamp-task:2.1.1
 *   task.timestamp.metadata=maven://…
 *   task.etl@2.0=docker:acme/etl:2.0          (explicit version)
 * The version defaults to the URI's tag (or `latest`). Blank lines and `#`/`!` comments are ignored.
 */

export interface ImportedApp {
  type: string;
  name: string;
  version: string;
  uri: string;
  metadataUri?: string;
  line: number;
}

export interface ImportProblem {
  line: number;
  message: string;
}

export function versionFromUri(uri: string): string {
  const withoutScheme = uri.replace(/^[a-z]+:(\/\/)?/, '');
  const lastSegment = withoutScheme.split('/').pop() ?? '';
  const digest = lastSegment.indexOf('@');
  const tagged = digest >= 0 ? lastSegment.slice(0, digest) : lastSegment;
  const colon = tagged.lastIndexOf(':');
  return colon >= 0 && colon < tagged.length - 1 ? tagged.slice(colon + 1) : 'latest';
}

export function parseAppImport(text: string): { apps: ImportedApp[]; problems: ImportProblem[] } {
  const apps = new Map<string, ImportedApp>();
  const metadata: { key: string; uri: string; line: number }[] = [];
  const problems: ImportProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) return;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) {
      problems.push({ line, message: `expected <type>.<name>=<uri>, got '${trimmed.slice(0, 80)}'` });
      return;
    }
    const key = trimmed.slice(0, eq).trim();
    const uri = trimmed.slice(eq + 1).trim();
    const parts = key.split('.');
    if (parts.length === 3 && parts[2] === 'metadata') {
      metadata.push({ key: `${parts[0]}.${parts[1]}`, uri, line });
      return;
    }
    if (parts.length !== 2 || !parts[0] || !parts[1] || !uri) {
      problems.push({ line, message: `expected <type>.<name>=<uri>, got key '${key}'` });
      return;
    }
    const [type, nameAndVersion] = parts as [string, string];
    const at = nameAndVersion.indexOf('@');
    const name = at >= 0 ? nameAndVersion.slice(0, at) : nameAndVersion;
    const version = at >= 0 ? nameAndVersion.slice(at + 1) : versionFromUri(uri);
    apps.set(`${type}.${name}`, { type, name, version, uri, line });
  });
  for (const m of metadata) {
    const app = apps.get(m.key);
    if (app) app.metadataUri = m.uri;
    else
      problems.push({
        line: m.line,
        message: `metadata for '${m.key}', which this import does not register`,
      });
  }
  return { apps: [...apps.values()], problems };
}
