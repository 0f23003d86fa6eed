/**
 * The pool threads' entry (piscina's worker file): imports the user's module once per thread and
 * calls its export with each item. Results and errors go back as plain data (see wire.ts).
 */
import type { ThreadResult, ThreadTask } from './wire.js';
import { toWireError } from './wire.js';

type Fn = (item: unknown) => unknown;
const loaded = new Map<string, Promise<Fn>>();

async function load(module: string, exportName: string): Promise<Fn> {
  const key = `${module}#${exportName}`;
  let fn = loaded.get(key);
  if (!fn) {
    fn = import(module).then((m: Record<string, unknown>) => {
      const f = m[exportName];
      if (typeof f !== 'function') throw new TypeError(`${module} has no function export '${exportName}'`);
      return f as Fn;
    });
    loaded.set(key, fn);
  }
  return fn;
}

/** Each item of the task in turn; a result (or an error) per item, in order. */
export default async function run(task: ThreadTask): Promise<ThreadResult[]> {
  let fn: Fn;
  try {
    fn = await load(task.module, task.exportName);
  } catch (error) {
    const wire = toWireError(error);
    return task.items.map(() => ({ ok: false, error: wire }));
  }
  const results: ThreadResult[] = [];
  for (const item of task.items) {
    try {
      const value = await fn(item);
      results.push({ ok: true, value: value ?? null });
    } catch (error) {
      results.push({ ok: false, error: toWireError(error) });
    }
  }
  return results;
}
