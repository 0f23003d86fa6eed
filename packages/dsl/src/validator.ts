import { allApps, allFlows, type ComposedApp, type ComposedTask, type Flow } from './ast.js';
import { DslError } from './errors.js';
import { formatCondition } from './format.js';

/** Node names the graph uses for its control nodes; an app with one of them would be ambiguous. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['START', 'END', 'SYNC']);

/**
 * Checks the rules that span the whole definition (SCDF's TaskValidatorVisitor, plus the ones the
 * planner relies on). Returns every problem found, ordered by position; empty means valid.
 */
export function validateComposedTask(task: ComposedTask): DslError[] {
  const problems: DslError[] = [];
  const report = (code: string, message: string, position: number): void => {
    problems.push(new DslError(code, message, task.text, position));
  };
  checkNames(task, report);
  const allLabels = new Set<string>();
  for (const app of allApps(task)) if (app.label !== undefined) allLabels.add(app.label);
  // Secondary sequences by the label of their first app; the main flow is sequence 0.
  const sequences = new Map<string, number>();
  task.secondary.forEach((flow, index) => {
    const first = flow.elements[0];
    if (first?.kind === 'app' && first.label !== undefined) sequences.set(first.label, index + 1);
  });
  const reached = new Set<string>();
  [task.flow, ...task.secondary].forEach((sequence, index) => {
    const scope: Scope = { allLabels, sequences, sequence: index, reached };
    for (const flow of allFlows(sequence)) checkFlow(flow, scope, report);
  });
  for (const [label, index] of sequences) {
    if (!reached.has(label)) {
      report(
        'UNREACHABLE_SEQUENCE',
        `Nothing transitions to ':${label}', so this sequence would never run`,
        task.secondary[index - 1]!.span.start,
      );
    }
  }
  return problems.sort((a, b) => a.position - b.position);
}

/** Parses and validates, throwing the first problem: the usual entry point for the server. */
export function assertValid(task: ComposedTask): ComposedTask {
  const [first] = validateComposedTask(task);
  if (first) throw first;
  return task;
}

type Report = (code: string, message: string, position: number) => void;

interface Scope {
  readonly allLabels: ReadonlySet<string>;
  /** Label of a secondary sequence's first app → the sequence's index (main flow: 0). */
  readonly sequences: ReadonlyMap<string, number>;
  /** The sequence the flow being checked belongs to. */
  readonly sequence: number;
  /** Secondary sequences some transition reaches (filled in). */
  readonly reached: Set<string>;
}

/** Each app node needs a unique id (label or name): it names the child task definition. */
function checkNames(flow: Flow | ComposedTask, report: Report): void {
  const labels = new Set<string>();
  const unlabelled = new Set<string>();
  for (const app of allApps(flow)) {
    const at = app.span.start;
    if (RESERVED_NAMES.has(app.name) || (app.label !== undefined && RESERVED_NAMES.has(app.label))) {
      report('RESERVED_NAME', `'${app.label ?? app.name}' is reserved for the graph's control nodes`, at);
    }
    if (app.label !== undefined) {
      if (labels.has(app.label)) report('DUPLICATE_LABEL', `Label '${app.label}' is used more than once`, at);
      else if (unlabelled.has(app.label)) {
        report('LABEL_CLASH', `Label '${app.label}' is also the name of an unlabelled app`, at);
      }
      labels.add(app.label);
      continue;
    }
    if (unlabelled.has(app.name)) {
      report(
        'DUPLICATE_APP',
        `App '${app.name}' is used more than once: give each use its own label, e.g. '${app.name}2: ${app.name}'`,
        at,
      );
    } else if (labels.has(app.name)) {
      report('LABEL_CLASH', `App '${app.name}' has the same name as a label; label this use of it`, at);
    }
    unlabelled.add(app.name);
  }
}

function checkFlow(flow: Flow, scope: Scope, report: Report): void {
  const { allLabels, sequences } = scope;
  // Labels a ':label' transition in this flow may reach: its apps and their transition targets.
  // SCDF resolves references within the flow, so jumping into or out of a split is not allowed.
  const elementIndex = new Map<string, number>();
  const targetLabels = new Set<string>();
  flow.elements.forEach((element, index) => {
    if (element.kind !== 'app') return;
    if (element.label !== undefined) elementIndex.set(element.label, index);
    for (const t of element.transitions) {
      if (t.target.kind === 'app' && t.target.app.label !== undefined) targetLabels.add(t.target.app.label);
    }
  });

  flow.elements.forEach((element, index) => {
    if (element.kind === 'split') {
      if (element.branches.length < 2) {
        report('SPLIT_ONE_BRANCH', 'A split needs at least two branches separated by ||', element.span.start);
      }
      return;
    }
    checkTransitions(element, report);
    const next = flow.elements[index + 1];
    if (next && element.transitions.some((t) => t.on.kind === 'wildcard')) {
      report(
        'WILDCARD_THEN_SEQUENCE',
        `What follows '&&' can never run: the '*' transition of '${element.label ?? element.name}' handles every exit`,
        next.span.start,
      );
    }
    for (const t of element.transitions) {
      if (t.target.kind !== 'ref') continue;
      const label = t.target.label;
      const targetIndex = elementIndex.get(label);
      const sequence = targetIndex === undefined ? sequences.get(label) : undefined;
      if (sequence !== undefined && !targetLabels.has(label)) {
        // Sequences may only jump to later ones, so no run of the graph can loop.
        if (sequence <= scope.sequence) {
          report(
            'TRANSITION_LOOP',
            `Transition to ':${label}' goes back to an earlier sequence and could loop`,
            t.span.start,
          );
        }
        scope.reached.add(label);
      } else if (targetIndex === undefined && !targetLabels.has(label)) {
        const code = allLabels.has(label) ? 'LABEL_OUT_OF_SCOPE' : 'UNDEFINED_LABEL';
        const message =
          code === 'UNDEFINED_LABEL'
            ? `Transition to ':${label}', but no app has the label '${label}'`
            : `Transition to ':${label}' leaves its flow: a label can only be reached from the same sequence`;
        report(code, message, t.span.start);
      } else if (targetIndex !== undefined && targetIndex <= index) {
        report(
          'TRANSITION_LOOP',
          `Transition to ':${label}' goes back to an earlier step and would loop`,
          t.span.start,
        );
      }
    }
  });
}

function checkTransitions(app: ComposedApp, report: Report): void {
  const seen = new Set<string>();
  for (const t of app.transitions) {
    const key = formatCondition(t.on);
    if (seen.has(key)) {
      report(
        'DUPLICATE_TRANSITION',
        `'${app.label ?? app.name}' has two transitions on ${key}`,
        t.span.start,
      );
    }
    seen.add(key);
  }
}
