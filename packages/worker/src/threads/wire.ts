/**
 * What crosses between the step's thread and a pool thread. Errors are sent as plain data (a
 * structured clone keeps only message and stack of an Error) and rebuilt on the step's side.
 */
export interface ThreadTask {
  /** File URL of the user's module. */
  module: string;
  exportName: string;
  /** A few items per task: the hand-off (clone, queue, wake-up) costs per task, not per item. */
  items: unknown[];
}

export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** Own enumerable properties that survive a structured clone (code, detail, …). */
  props: Record<string, unknown>;
  cause?: WireError | { value: unknown };
}

export type ThreadResult = { ok: true; value: unknown } | { ok: false; error: WireError };

const MAX_CAUSES = 8;

export function toWireError(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error))
    return { name: 'Error', message: String(error), props: { thrown: safe(error) } };
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (key === 'cause') continue;
    const v = safe((error as unknown as Record<string, unknown>)[key]);
    if (v !== undefined) props[key] = v;
  }
  const wire: WireError = { name: error.name, message: error.message, stack: error.stack, props };
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && depth < MAX_CAUSES) {
    wire.cause = cause instanceof Error ? toWireError(cause, depth + 1) : { value: safe(cause) };
  }
  return wire;
}

/** A value if it survives a structured clone as it is (no functions, symbols, class instances). */
function safe(v: unknown): unknown {
  try {
    structuredClone(v);
    return v;
  } catch {
    return undefined;
  }
}
