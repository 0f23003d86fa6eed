import { allApps, appId, type ComposedTask } from './ast.js';
import { parseComposedTask } from './composed-parser.js';
import { DslError, locate, type SourceLocation } from './errors.js';
import { parseTaskDefinition, type TaskAppNode } from './task-definition.js';
import { assertValid } from './validator.js';

/** One child of a composed task, as the server creates its task definition. */
export interface ComposedTaskChild {
  /** Label, or app name when unlabelled: the node id the planner uses. */
  readonly id: string;
  readonly appName: string;
  readonly properties: Readonly<Record<string, string>>;
  /** `<parent>-<label or app>`, when the parent's name was given. */
  readonly definitionName?: string;
}

/** SCDF's name for a child task definition: `<parent>-<label or app>`. */
export function childDefinitionName(parentName: string, id: string): string {
  return `${parentName}-${id}`;
}

/** The children of a composed task in text order. Assumes a validated AST (unique ids). */
export function composedTaskApps(task: ComposedTask, parentName?: string): ComposedTaskChild[] {
  return allApps(task).map((app) => {
    const child = { id: appId(app), appName: app.name, properties: app.properties };
    return parentName === undefined
      ? child
      : { ...child, definitionName: childDefinitionName(parentName, child.id) };
  });
}

export interface AppReference extends SourceLocation {
  readonly name: string;
}

/**
 * The distinct app names a composed task uses, each with where it first appears, so the server
 * can report "unknown app 'x' at line 2, column 5" after checking its registry.
 */
export function referencedApps(task: ComposedTask): AppReference[] {
  const seen = new Map<string, AppReference>();
  for (const app of allApps(task)) {
    if (seen.has(app.name)) continue;
    // The span starts at the label when there is one; point at the name itself.
    let offset = app.span.start;
    if (app.label !== undefined) {
      // Labels cannot contain ':', so the first one after the start is the label's.
      offset = task.text.indexOf(':', offset) + 1;
      while (/\s/.test(task.text.charAt(offset))) offset++;
    }
    seen.set(app.name, { name: app.name, ...locate(task.text, offset) });
  }
  return [...seen.values()];
}

/** Builds the error the server raises for an app its registry does not know. */
export function unknownAppError(task: ComposedTask, ref: AppReference): DslError {
  return new DslError('UNKNOWN_APP', `Unknown app '${ref.name}': register it first`, task.text, ref.position);
}

/**
 * True when the text is a composed task rather than a simple one: it uses '&&', '||', '<', '->'
 * or names more than one app. Text that does not parse is judged by its operators alone, so the
 * caller picks the parser whose error message will fit.
 */
export function isComposedTask(text: string): boolean {
  if (typeof text !== 'string') return false;
  try {
    const { flow } = parseComposedTask(text);
    const [first] = flow.elements;
    return flow.elements.length > 1 || first?.kind === 'split' || (first?.transitions.length ?? 0) > 0;
  } catch (error) {
    if (!(error instanceof DslError)) throw error;
    return /&&|\|\||<|->/.test(withoutQuotedText(text));
  }
}

function withoutQuotedText(text: string): string {
  return text.replace(/'[^']*'|"[^"]*"/g, '');
}

export type ParsedDefinition =
  | { readonly kind: 'simple'; readonly node: TaskAppNode }
  | { readonly kind: 'composed'; readonly task: ComposedTask };

/**
 * The server's one call for `POST /tasks/definitions`: picks the grammar with isComposedTask,
 * parses, and validates a composed task. Throws the first DslError.
 */
export function parseDefinition(text: string): ParsedDefinition {
  if (!isComposedTask(text)) return { kind: 'simple', node: parseTaskDefinition(text) };
  return { kind: 'composed', task: assertValid(parseComposedTask(text)) };
}
