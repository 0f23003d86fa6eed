import type { Span } from './task-definition.js';

/**
 * The composed-task AST. It mirrors SCDF's grammar: a flow is a sequence joined by '&&', a split
 * runs flows in parallel, and an app may carry transitions on its exit status.
 */

export interface ComposedApp {
  readonly kind: 'app';
  readonly name: string;
  readonly label?: string;
  readonly properties: Readonly<Record<string, string>>;
  /** Always empty for an app that is itself a transition target (SCDF forbids chaining there). */
  readonly transitions: readonly Transition[];
  readonly span: Span;
}

export type TransitionCondition =
  /** A quoted exit status, e.g. 'FAILED'; '*' and '?' inside act as wildcards, as in Spring Batch. */
  | { readonly kind: 'status'; readonly status: string }
  /** An unquoted number: the child's exit code. */
  | { readonly kind: 'exitCode'; readonly code: number }
  /** '*' (quoted or not): any exit. */
  | { readonly kind: 'wildcard' };

export type TransitionTarget =
  | { readonly kind: 'app'; readonly app: ComposedApp }
  | { readonly kind: 'end' }
  | { readonly kind: 'fail' }
  /** `:label`, a labelled app in the same flow. */
  | { readonly kind: 'ref'; readonly label: string };

export interface Transition {
  readonly on: TransitionCondition;
  readonly target: TransitionTarget;
  readonly span: Span;
}

export interface Split {
  readonly kind: 'split';
  /** Each branch is a flow; a branch that is only a split is merged into its parent. */
  readonly branches: readonly Flow[];
  readonly span: Span;
}

export type FlowElement = ComposedApp | Split;

export interface Flow {
  readonly kind: 'flow';
  readonly elements: readonly FlowElement[];
  readonly span: Span;
}

export interface ComposedTask {
  readonly kind: 'composed';
  /** The text the AST was parsed from; errors found later (validation) point into it. */
  readonly text: string;
  readonly flow: Flow;
  /**
   * SCDF's secondary sequences: flows written on their own line (or after ';') that start with a
   * labelled app and run only when a transition jumps to that label (`a 0 -> :x && b` / `x: c`).
   * When one ends, the flow that jumped to it ends with it.
   */
  readonly secondary: readonly Flow[];
}

/** The id of an app node: its label, or its name when it has none. Unique in a valid task. */
export function appId(app: ComposedApp): string {
  return app.label ?? app.name;
}

/** Every app node (flow elements and transition targets) in text order; a task includes its secondary sequences. */
export function allApps(of: Flow | ComposedTask): ComposedApp[] {
  if (of.kind === 'composed') return [of.flow, ...of.secondary].flatMap((f) => allApps(f));
  const flow = of;
  const out: ComposedApp[] = [];
  const visit = (f: Flow): void => {
    for (const element of f.elements) {
      if (element.kind === 'split') {
        for (const branch of element.branches) visit(branch);
        continue;
      }
      out.push(element);
      for (const t of element.transitions) if (t.target.kind === 'app') out.push(t.target.app);
    }
  };
  visit(flow);
  return out;
}

/** Every flow (the main one, secondary sequences and each split branch), outermost first. */
export function allFlows(of: Flow | ComposedTask): Flow[] {
  if (of.kind === 'composed') return [of.flow, ...of.secondary].flatMap((f) => allFlows(f));
  const flow = of;
  const out: Flow[] = [flow];
  for (const element of flow.elements) {
    if (element.kind === 'split') for (const branch of element.branches) out.push(...allFlows(branch));
  }
  return out;
}

/** A deep copy without source spans, for comparing ASTs parsed from different texts. */
export function withoutSpans(task: ComposedTask): unknown {
  const strip = (key: string, value: unknown): unknown => (key === 'span' ? undefined : value);
  const flow: unknown = JSON.parse(JSON.stringify(task.flow, strip));
  if (task.secondary.length === 0) return flow;
  return { flow, secondary: JSON.parse(JSON.stringify(task.secondary, strip)) as unknown };
}

/** The secondary sequence a label starts, if any. */
export function secondaryStartingAt(task: ComposedTask, label: string): Flow | undefined {
  return task.secondary.find((f) => {
    const first = f.elements[0];
    return first?.kind === 'app' && first.label === label;
  });
}
