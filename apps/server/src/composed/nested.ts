import { ApiError } from '@batchyard/core';
import { apps, type Db, definitions } from '@batchyard/db';
import { type ComposedTask, isComposedTask, parseComposedTask, referencedApps } from '@batchyard/dsl';

// A composed definition may name another composed definition where an app would go (SCDF cannot):
// `nightly: extract && reporting` with `reporting` itself `a && b`. A name that is a registered task
// app stays an app; otherwise a composed definition of that name is a nested graph. Cycles (a → b
// → a) are refused with their path.

/** The nested composed definitions `task` names: definition name → its DSL text. */
export async function nestedDefinitions(db: Db, task: ComposedTask): Promise<Map<string, string>> {
  const names = [...new Set(referencedApps(task).map((r) => r.name))];
  const registered = await apps.existingAppNames(db, 'task', names);
  const nested = new Map<string, string>();
  for (const name of names) {
    if (registered.has(name)) continue;
    const def = await definitions.findDefinition(db, name);
    if (def?.composed && !def.parentName) nested.set(name, def.dslText);
  }
  return nested;
}

function parsedOrUndefined(text: string): ComposedTask | undefined {
  try {
    return isComposedTask(text) ? parseComposedTask(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a definition `name` whose nested definitions lead back to it: a 400 whose message and
 * detail give the cycle's path, e.g. `a → b → a`.
 */
export async function checkNestingCycle(
  db: Db,
  name: string,
  task: ComposedTask,
  path = 'body.definition',
): Promise<void> {
  const cache = new Map<string, Map<string, string>>();
  const nestedOf = async (defName: string, t: ComposedTask): Promise<Map<string, string>> => {
    let found = cache.get(defName);
    if (!found) {
      found = await nestedDefinitions(db, t);
      cache.set(defName, found);
    }
    return found;
  };
  const visit = async (defName: string, t: ComposedTask, trail: string[]): Promise<string[] | undefined> => {
    for (const [child, text] of await nestedOf(defName, t)) {
      if (child === name) return [...trail, child];
      if (trail.includes(child)) continue; // a cycle not through `name` was refused when it was made
      const parsed = parsedOrUndefined(text);
      if (!parsed) continue;
      const cycle = await visit(child, parsed, [...trail, child]);
      if (cycle) return cycle;
    }
    return undefined;
  };
  // The definition being saved may already name itself.
  const self = referencedApps(task).some((r) => r.name === name);
  const registered = self ? await apps.existingAppNames(db, 'task', [name]) : new Set<string>();
  const cycle = self && !registered.has(name) ? [name, name] : await visit(name, task, [name]);
  if (!cycle) return;
  const message = `composed task '${name}' would contain itself: ${cycle.join(' → ')}`;
  throw new ApiError('VALIDATION_FAILED', message, [{ path, message }]);
}
