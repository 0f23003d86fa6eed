import { ApiError, nameProblem, TASK_NAME_RULES } from '@batchyard/core';
import { apps, type Db, definitions } from '@batchyard/db';
import {
  type ComposedTask,
  composedTaskApps,
  formatTaskApp,
  parseComposedTask,
  referencedApps,
  unknownAppError,
} from '@batchyard/dsl';
import { nestedDefinitions } from './nested.js';

/**
 * The definition side of composed tasks: every app a composed definition names must be a
 * registered task app, and each child gets its own simple definition `<parent>-<label or app>`
 * (as SCDF does), so a child launches, lists and cleans up like any task.
 */

export interface ChildDefinition {
  readonly name: string;
  readonly dslText: string;
  /** A nested composed definition: the child is itself a composed task (a copy of that definition). */
  readonly composed?: boolean;
}

/** Names every unknown app with its line and column; one query for the lot. */
export async function checkComposedApps(db: Db, task: ComposedTask, path = 'body.definition'): Promise<void> {
  // Names of composed definitions are nested graphs, not apps.
  const nested = await nestedDefinitions(db, task);
  const refs = referencedApps(task).filter((r) => !nested.has(r.name));
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
export function childDefinitions(
  parentName: string,
  task: ComposedTask,
  nested: ReadonlyMap<string, string> = new Map(),
): ChildDefinition[] {
  return composedTaskApps(task, parentName).map((child) => {
    const name = child.definitionName!;
    const problem = nameProblem(name, TASK_NAME_RULES);
    if (problem) {
      const message = `child task '${child.id}' would be named '${name}': ${problem}; use a shorter parent name or label`;
      throw new ApiError('VALIDATION_FAILED', `body.definition: ${message}`, [
        { path: 'body.definition', message },
      ]);
    }
    const nestedText = nested.get(child.appName);
    if (nestedText !== undefined) {
      if (Object.keys(child.properties).length > 0) {
        const message = `'${child.id}' is the composed task '${child.appName}' and takes no properties in the DSL; pass them at launch as app.${child.id}.<label>.<key>`;
        throw new ApiError('VALIDATION_FAILED', `body.definition: ${message}`, [
          { path: 'body.definition', message },
        ]);
      }
      return { name, dslText: nestedText, composed: true };
    }
    return { name, dslText: formatTaskApp({ app: child.appName, properties: child.properties }) };
  });
}

/** Every definition below `parentName` (children, and the children of nested composed children). */
export async function descendantDefinitions(db: Db, parentName: string, depth = 0): Promise<string[]> {
  if (depth > 32) return [];
  const children = await definitions.listDefinitions(db, { parentName }, 10_000);
  const below = await Promise.all(
    children.filter((c) => c.composed).map((c) => descendantDefinitions(db, c.name, depth + 1)),
  );
  return [...children.map((c) => c.name), ...below.flat()];
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
  const wanted = childDefinitions(parentName, task, await nestedDefinitions(tx, task));
  await definitions.deleteDefinitions(tx, await descendantDefinitions(tx, parentName));
  for (const child of wanted) {
    const clash = await definitions.findDefinition(tx, child.name);
    if (clash) {
      const message = `child task definition '${child.name}' would replace the existing definition of that name`;
      throw new ApiError('CONFLICT', message, [{ path: 'body.definition', message }]);
    }
    await definitions.insertDefinition(tx, {
      name: child.name,
      dslText: child.dslText,
      composed: child.composed === true,
      parentName,
    });
    // A nested composed child gets its own children, `<child>-<label>`, from its copied graph.
    if (child.composed) await replaceChildDefinitions(tx, child.name, parseComposedTask(child.dslText));
  }
  return wanted.map((c) => c.name);
}
