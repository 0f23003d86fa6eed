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
}

/** The id of an app node: its label, or its name when it has none. Unique in a valid task. */
export function appId(app: ComposedApp): string {
  return app.label ?? app.name;
}

/** Every app node (flow elements and transition targets) in text order. */
export function allApps(flow: Flow): ComposedApp[] {
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

/** Every flow (the main one and each split branch), outermost first. */
export function allFlows(flow: Flow): Flow[] {
  const out: Flow[] = [flow];
  for (const element of flow.elements) {
    if (element.kind === 'split') for (const branch of element.branches) out.push(...allFlows(branch));
  }
  return out;
}

/** A deep copy without source spans, for comparing ASTs parsed from different texts. */
export function withoutSpans(task: ComposedTask): unknown {
  return JSON.parse(JSON.stringify(task.flow, (key, value: unknown) => (key === 'span' ? undefined : value)));
}
