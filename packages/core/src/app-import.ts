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
    const dot = key.indexOf('.');
    const type = key.slice(0, dot);
    const rest = key.slice(dot + 1);
    if (rest.endsWith('.metadata')) {
      metadata.push({ key: `${type}.${rest.slice(0, -'.metadata'.length)}`, uri, line });
      return;
    }
    const at = rest.indexOf('@');
    const name = at >= 0 ? rest.slice(0, at) : rest;
    const version = at >= 0 ? rest.slice(at + 1) : versionFromUri(uri);
    if (dot <= 0 || !name || name.includes('.') || !version || !uri) {
      problems.push({ line, message: `expected <type>.<name>[@<version>]=<uri>, got key '${key}'` });
      return;
    }
    apps.set(`${type}.${name}`, { type, name, version, uri, line });
  });
  for (const m of metadata) {
    const app = apps.get(m.key.split('@')[0] ?? m.key);
    if (app) app.metadataUri = m.uri;
    else
      problems.push({
        line: m.line,
        message: `metadata for '${m.key.split('@')[0]}', which this import does not register`,
      });
  }
  return { apps: [...apps.values()], problems };
}
