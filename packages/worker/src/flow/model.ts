import type { JobExecution, StepExecution } from '../model/execution.js';
import type { Step } from '../model/step.js';

/**
 * A flow is a graph of nodes (steps, deciders, splits, nested flows) joined by transitions on the
 * exit code of the node that just ran. Patterns: `*` any run of characters, `?` one character;
 * the most specific matching pattern wins (fewer `*`, then fewer `?`, then longer — as Spring Batch).
 */
export interface Decider {
  readonly kind: 'decider';
  readonly name: string;
  /** Returns the exit code the transitions match on (e.g. 'ODD', 'EVEN'). */
  decide(job: JobExecution, lastStep: StepExecution | undefined): string | Promise<string>;
}

export interface Split {
  readonly kind: 'split';
  readonly name: string;
  /** Run concurrently; the worst resulting status wins. */
  readonly flows: readonly Flow[];
}

export type FlowNode = Step | Decider | Split | Flow;

export type Transition =
  | { readonly on: string; readonly kind: 'to'; readonly target: FlowNode }
  /** End the job COMPLETED (exit code default COMPLETED). */
  | { readonly on: string; readonly kind: 'end'; readonly exitCode: string }
  /** End the job FAILED. */
  | { readonly on: string; readonly kind: 'fail'; readonly exitCode: string }
  /** End the job STOPPED; a restart resumes at `target`. */
  | { readonly on: string; readonly kind: 'stop'; readonly target: FlowNode };

export interface Flow {
  readonly kind: 'flow';
  readonly name: string;
  readonly start: FlowNode;
  /** Keyed by node name. */
  readonly transitions: ReadonlyMap<string, readonly Transition[]>;
  readonly nodes: ReadonlyMap<string, FlowNode>;
}

const count = (s: string, c: string): number => s.split(c).length - 1;

/** Spring Batch's order among matching patterns: fewer `*`, then fewer `?`, then longer wins. */
function specificity(pattern: string): [number, number, number] {
  return [count(pattern, '*'), count(pattern, '?'), -pattern.length];
}

export function matchesPattern(pattern: string, code: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(code);
}

/** The transition for `code` among `transitions`, or undefined. */
export function selectTransition(transitions: readonly Transition[], code: string): Transition | undefined {
  const sorted = [...transitions].sort((a, b) => {
    const [sa, qa, la] = specificity(a.on);
    const [sb, qb, lb] = specificity(b.on);
    return sa - sb || qa - qb || la - lb;
  });
  return sorted.find((t) => matchesPattern(t.on, code));
}

/**
 * A decider node.
 *
 * @example decider('parity', (job) => (job.parameters.number('n') % 2 ? 'ODD' : 'EVEN'))
 */
export function decider(name: string, decide: Decider['decide']): Decider {
  return { kind: 'decider', name, decide };
}

/** A split node running `flows` in parallel. */
export function split(name: string, ...flows: Flow[]): Split {
  return { kind: 'split', name, flows };
}
