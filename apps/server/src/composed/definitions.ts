import { ApiError, nameProblem, TASK_NAME_RULES } from '@batchyard/core';
import { apps, type Db, definitions } from '@batchyard/db';
import {
  type ComposedTask,
  composedTaskApps,
  formatTaskApp,
  referencedApps,
  unknownAppError,
} from '@batchyard/dsl';

/**
 * The definition side of composed tasks: every app a composed definition names must be a
 * registered task app, and each child gets its own simple definition `<parent>-<label or app>`
 * (as SCDF does), so a child launches, lists and cleans up like any task.
 */

export interface ChildDefinition {
  readonly name: string;
  readonly dslText: string;
}

/** Names every unknown app with its line and column; one query for the lot. */
export async function checkComposedApps(db: Db, task: ComposedTask, path = 'body.definition'): Promise<void> {
  const refs = referencedApps(task);
  const known = await apps.existingAppNames(
    db,
    'task',
    refs.map((r) => r.name),
  );
  const unknown = refs.filter((r) => !known.has(r.name));
  if (unknown.length === 0) return;
  const registered = await apps.allAppNames(db, 'task');
  const hint =
    registered.length > 0 ? `registered task apps: ${registered.join(', ')}` : 'no task apps are registered';
  const details = unknown.map((ref) => {
    const err = unknownAppError(task, ref);
    return { path, message: `line ${err.line}, column ${err.column}: unknown app '${ref.name}'; ${hint}` };
  });
  throw new ApiError(
    'UNKNOWN_APP',
    `unknown app ${unknown.map((u) => `'${u.name}' (line ${u.line}, column ${u.column})`).join(', ')}; ${hint}`,
    details,
  );
}

/** The child definitions of `parentName`; a child name that breaks the task-name rules is a 400. */
export function childDefinitions(parentName: string, task: ComposedTask): ChildDefinition[] {
  return composedTaskApps(task, parentName).map((child) => {
    const name = child.definitionName!;
    const problem = nameProblem(name, TASK_NAME_RULES);
    if (problem) {
      const message = `child task '${child.id}' would be named '${name}': ${problem}; use a shorter parent name or label`;
      throw new ApiError('VALIDATION_FAILED', `body.definition: ${message}`, [
        { path: 'body.definition', message },
      ]);
    }
    return { name, dslText: formatTaskApp({ app: child.appName, properties: child.properties }) };
  });
}

/**
 * Replaces the children of `parentName` with those of `task` inside the caller's transaction.
 * A name taken by a definition that is not one of this parent's children is a 409.
 */
export async function replaceChildDefinitions(
  tx: Db,
  parentName: string,
  task: ComposedTask,
): Promise<string[]> {
  const wanted = childDefinitions(parentName, task);
  const existing = await definitions.listDefinitions(tx, { parentName }, 10_000);
  await definitions.deleteDefinitions(
    tx,
    existing.map((c) => c.name),
  );
  for (const child of wanted) {
    const clash = await definitions.findDefinition(tx, child.name);
    if (clash) {
      const message = `child task definition '${child.name}' would replace the existing definition of that name`;
      throw new ApiError('CONFLICT', message, [{ path: 'body.definition', message }]);
    }
    await definitions.insertDefinition(tx, {
      name: child.name,
      dslText: child.dslText,
      composed: false,
      parentName,
    });
  }
  return wanted.map((c) => c.name);
}
