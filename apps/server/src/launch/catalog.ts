import { apps, type Db, definitions } from '@batchyard/db';
import { parseTaskDefinition, type TaskAppNode } from '@batchyard/dsl';

type Definition = NonNullable<Awaited<ReturnType<typeof definitions.findDefinition>>>;

/** A definition as a launch needs it: the row and its parsed DSL (or the parse error, rethrown per launch). */
export interface CachedDefinition {
  row: Definition;
  node: TaskAppNode | { error: unknown };
}

/**
 * The definition and app reads of a launch, cached in this process. Nothing here has to be
 * invalidated by its writers: the launch statement re-checks what it was given (the definition's
 * version, the app row's updated_at and default flag, see launches.insertLaunch) and answers
 * `stale` when another request — on this replica or any other — changed it, and the launcher then
 * drops the entry and reads again. So a change costs the next launch one extra round trip, and a
 * stale read never launches. Misses (unknown names) are not cached: a new definition is seen at once.
 */
export class LaunchCatalog {
  private readonly defs = new Map<string, CachedDefinition>();
  private readonly appRows = new Map<string, apps.AppRegistration>();

  constructor(
    private readonly db: Db,
    private readonly maxEntries = 2000,
  ) {}

  async definition(name: string): Promise<CachedDefinition | undefined> {
    const hit = this.defs.get(name);
    if (hit) return hit;
    const row = await definitions.findDefinition(this.db, name);
    if (!row) return undefined;
    const entry = this.remember(this.defs, name, { row, node: parse(row.dslText) });
    return entry;
  }

  /** Wraps a row the caller read itself (schedules, SCDF validation) without caching it. */
  static wrap(row: Definition): CachedDefinition {
    return { row, node: parse(row.dslText) };
  }

  /** The app a launch runs: a pinned version, or the default one. */
  async app(name: string, version: string | undefined): Promise<apps.AppRegistration | undefined> {
    const key = `${name}\u0000${version ?? ''}`;
    const hit = this.appRows.get(key);
    if (hit) return hit;
    const row = version
      ? await apps.findAppVersion(this.db, 'task', name, version)
      : await apps.findDefaultApp(this.db, 'task', name);
    return row ? this.remember(this.appRows, key, row) : undefined;
  }

  /** The launch statement found a cached read out of date. */
  invalidate(): void {
    this.defs.clear();
    this.appRows.clear();
  }

  private remember<T>(map: Map<string, T>, key: string, value: T): T {
    if (map.size >= this.maxEntries) map.clear(); // bounded; a cleared cache only costs reads
    map.set(key, value);
    return value;
  }
}

function parse(dsl: string): CachedDefinition['node'] {
  try {
    return parseTaskDefinition(dsl);
  } catch (error) {
    return { error };
  }
}
