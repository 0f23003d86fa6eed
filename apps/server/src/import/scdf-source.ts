import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// Reading what an SCDF server holds: its REST API (HAL JSON, paged through `_links.next`) or a
// directory of the same documents saved to files (`apps.json`, `task-definitions.json`,
// `task-schedules.json`, each one HAL page or an array of them) plus, optionally, the shell's app
// import file (`apps.properties`: `task.name=docker:image:tag`).

export interface ScdfApp {
  name: string;
  type: string;
  uri: string;
  version?: string;
  defaultVersion?: boolean;
  metaDataUri?: string;
}

export interface ScdfDefinition {
  name: string;
  dslText: string;
  description?: string | null;
  composed?: boolean;
  composedTaskElement?: boolean;
}

export interface ScdfSchedule {
  scheduleName: string;
  taskDefinitionName: string;
  scheduleProperties?: Record<string, string>;
}

export interface ScdfExport {
  apps: ScdfApp[];
  definitions: ScdfDefinition[];
  schedules: ScdfSchedule[];
  /** What could not be read, with why (a missing file, an endpoint that failed). */
  problems: string[];
}

interface HalPage {
  _embedded?: Record<string, unknown[]>;
  _links?: { next?: { href?: string } };
}

/** Every item of a HAL page (whatever its `_embedded` key), or of a plain array. */
export function halItems(doc: unknown): unknown[] {
  if (Array.isArray(doc))
    return doc.flatMap((d) => (d && typeof d === 'object' && '_embedded' in d ? halItems(d) : [d]));
  const embedded = (doc as HalPage | null)?._embedded;
  return embedded ? Object.values(embedded).flat() : [];
}

const MAX_PAGES = 10_000;

async function fetchAll(base: string, path: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let url: string | undefined = new URL(path, base).toString();
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const res = await fetch(url, { headers: { accept: 'application/hal+json, application/json' } });
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${res.statusText}`);
    const doc = (await res.json()) as HalPage;
    items.push(...halItems(doc));
    const next: string | undefined = doc._links?.next?.href;
    url = next && next !== url ? new URL(next, base).toString() : undefined;
  }
  return items;
}

async function readJson(dir: string, file: string): Promise<unknown[] | undefined> {
  try {
    return halItems(JSON.parse(await readFile(join(dir, file), 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

/** The shell's `app import` format: `<type>.<name>[.metadata]=<uri>`; `#` comments. */
export function parseAppProperties(text: string): ScdfApp[] {
  const apps: ScdfApp[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at).trim().split('.');
    if (key.length !== 2) continue; // `.metadata` lines and versions in the key are not apps
    apps.push({ type: key[0]!, name: key[1]!, uri: line.slice(at + 1).trim() });
  }
  return apps;
}

export async function readScdf(from: string): Promise<ScdfExport> {
  const out: ScdfExport = { apps: [], definitions: [], schedules: [], problems: [] };
  const remote = /^https?:\/\//.test(from);
  const base = remote && !from.endsWith('/') ? `${from}/` : from;
  const sources: [keyof Omit<ScdfExport, 'problems'>, string, string][] = [
    ['apps', 'apps?size=2000', 'apps.json'],
    ['definitions', 'tasks/definitions?size=2000', 'task-definitions.json'],
    ['schedules', 'tasks/schedules?size=2000', 'task-schedules.json'],
  ];
  for (const [key, path, file] of sources) {
    try {
      const items = remote ? await fetchAll(base, path) : await readJson(from, file);
      if (items === undefined) continue;
      (out[key] as unknown[]).push(...items);
    } catch (err) {
      out.problems.push(`${key}: ${(err as Error).message}`);
    }
  }
  if (!remote) {
    const text = await readFile(join(from, 'apps.properties'), 'utf8').catch(() => undefined);
    if (text !== undefined) out.apps.push(...parseAppProperties(text));
  }
  return out;
}
