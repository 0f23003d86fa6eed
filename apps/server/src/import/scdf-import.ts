import { type ApiClient, ApiRequestError } from '../cli/client.js';
import { type Existing, type ImportPlan, planImport, type Skipped } from './scdf-plan.js';
import { readScdf } from './scdf-source.js';

// `batchyard import scdf --from <url|dir> [--apply]`: reads SCDF, plans against what Batchyard has
// (read through its REST API), and with --apply creates the apps, definitions and schedules in
// order through the same API. Dry run by default. The report names every item and what became of it.

export interface ImportReport {
  applied: boolean;
  created: { kind: string; name: string }[];
  wouldCreate: { kind: string; name: string }[];
  unchanged: Skipped[];
  notCarriedOver: Skipped[];
  problems: string[];
}

async function all<T>(client: ApiClient, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: { items: T[]; page: { next: string | null } } = await client.request(
      'GET',
      `${path}${sep}size=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.items);
    cursor = page.page.next;
  } while (cursor);
  return out;
}

async function existingState(client: ApiClient): Promise<Existing> {
  const [apps, definitions, schedules] = await Promise.all([
    all<Existing['apps'][number]>(client, '/apps'),
    all<Existing['definitions'][number]>(client, '/tasks/definitions'),
    all<Existing['schedules'][number]>(client, '/tasks/schedules'),
  ]);
  return { apps, definitions, schedules };
}

export async function importScdf(
  client: ApiClient,
  options: { from: string; apply: boolean },
): Promise<ImportReport> {
  const source = await readScdf(options.from);
  const plan: ImportPlan = planImport(source, await existingState(client));
  const report: ImportReport = {
    applied: options.apply,
    created: [],
    wouldCreate: options.apply ? [] : plan.create.map(({ kind, name }) => ({ kind, name })),
    unchanged: plan.unchanged,
    notCarriedOver: [...plan.notCarriedOver],
    problems: source.problems,
  };
  if (!options.apply) return report;
  for (const action of plan.create) {
    try {
      await client.request(action.method, action.path, action.body);
      report.created.push({ kind: action.kind, name: action.name });
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      // Batchyard refused it (a DSL construct it lacks, a cron its platform cannot honour, …).
      report.notCarriedOver.push({ kind: action.kind, name: action.name, reason: err.message });
    }
  }
  return report;
}
