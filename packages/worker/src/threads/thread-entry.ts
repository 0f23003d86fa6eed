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

export default async function run(task: ThreadTask): Promise<ThreadResult> {
  try {
    const fn = await load(task.module, task.exportName);
    const value = await fn(task.item);
    return { ok: true, value: value ?? null };
  } catch (error) {
    return { ok: false, error: toWireError(error) };
  }
}
