import type { JobListener } from '../model/api.js';
import type { Step } from '../model/step.js';
import type { JobParametersIncrementer } from './incrementer.js';
import type { Flow, FlowNode, Transition } from './model.js';
import type { JobParametersValidator } from './validator.js';

/**
 * Fluent flow definition. `next(x)` goes to `x` when the current node's exit code is COMPLETED and
 * makes `x` current; `on(pattern)` adds a transition from the current node (which stays current, so
 * several `on` can follow); `from(x)` makes an already-added node current again. A node whose exit
 * code matches no transition ends the flow: FAILED if the node failed, otherwise COMPLETED.
 *
 * @example
 * flow('main')
 *   .start(load)
 *   .on('FAILED').to(cleanup)
 *   .on('*').to(report)
 *   .from(cleanup).on('*').fail()
 *   .build();
 */
export class FlowBuilder<R = Flow> {
  private startNode: FlowNode | undefined;
  private current: FlowNode | undefined;
  private readonly nodes = new Map<string, FlowNode>();
  private readonly transitions = new Map<string, Transition[]>();

  constructor(
    private readonly name: string,
    private readonly finish: (flow: Flow) => R,
  ) {}

  start(node: FlowNode): this {
    this.startNode = this.add(node);
    this.current = node;
    return this;
  }

  next(node: FlowNode): this {
    this.addTransition({ on: 'COMPLETED', kind: 'to', target: this.add(node) });
    this.current = node;
    return this;
  }

  from(node: FlowNode): this {
    this.current = this.add(node);
    return this;
  }

  on(pattern: string): TransitionBuilder<R, this> {
    return new TransitionBuilder(this, pattern, (t) => {
      if (t.kind === 'to' || t.kind === 'stop') this.add(t.target);
      this.addTransition(t);
    });
  }

  build(): R {
    if (!this.startNode) throw new Error(`flow '${this.name}' has no start node`);
    return this.finish({
      kind: 'flow',
      name: this.name,
      start: this.startNode,
      nodes: this.nodes,
      transitions: this.transitions,
    });
  }

  private add(node: FlowNode): FlowNode {
    const existing = this.nodes.get(node.name);
    if (existing && existing !== node) throw new Error(`flow '${this.name}': two nodes named '${node.name}'`);
    this.nodes.set(node.name, node);
    return node;
  }

  private addTransition(t: Transition): void {
    if (!this.current) throw new Error(`flow '${this.name}': call start() first`);
    const list = this.transitions.get(this.current.name) ?? [];
    list.push(t);
    this.transitions.set(this.current.name, list);
  }
}

export class TransitionBuilder<R, B extends FlowBuilder<R>> {
  constructor(
    private readonly builder: B,
    private readonly pattern: string,
    private readonly add: (t: Transition) => void,
  ) {}

  to(node: FlowNode): B {
    this.add({ on: this.pattern, kind: 'to', target: node });
    return this.builder;
  }

  end(exitCode = 'COMPLETED'): B {
    this.add({ on: this.pattern, kind: 'end', exitCode });
    return this.builder;
  }

  fail(exitCode = 'FAILED'): B {
    this.add({ on: this.pattern, kind: 'fail', exitCode });
    return this.builder;
  }

  /** Stops the job; a restart continues at `node`. */
  stopAndRestart(node: FlowNode): B {
    this.add({ on: this.pattern, kind: 'stop', target: node });
    return this.builder;
  }
}

export function flow(name: string): FlowBuilder<Flow> {
  return new FlowBuilder(name, (f) => f);
}

/** A job definition: a name, a flow, and its restart behaviour. */
export interface Job {
  readonly name: string;
  readonly flow: Flow;
  /** A non-restartable job refuses any second execution of an instance (default true). */
  readonly restartable: boolean;
  readonly listeners: readonly JobListener[];
  /** Opted in with `.incrementer(runIdIncrementer())`: each launch computes its next parameters. */
  readonly incrementer?: JobParametersIncrementer;
  /** Checked before anything runs; a failure is a `JobParametersInvalidError`. */
  readonly validator?: JobParametersValidator;
}

/**
 * @example
 * export const settlement = job('settlement').start(generate).next(settle).build();
 * export const guarded = job('guarded').restartable(false).flow(mainFlow);
 */
export class JobBuilder {
  private isRestartable = true;
  private readonly jobListeners: JobListener[] = [];
  private jobIncrementer: JobParametersIncrementer | undefined;
  private jobValidator: JobParametersValidator | undefined;

  constructor(private readonly name: string) {}

  restartable(value: boolean): this {
    this.isRestartable = value;
    return this;
  }

  /** Next parameters per launch (Spring Batch's `RunIdIncrementer`: `runIdIncrementer()`). */
  incrementer(value: JobParametersIncrementer): this {
    this.jobIncrementer = value;
    return this;
  }

  /** Validates the launch parameters before anything runs (`parametersValidator({required, optional})`). */
  validator(value: JobParametersValidator): this {
    this.jobValidator = value;
    return this;
  }

  listener(l: JobListener): this {
    this.jobListeners.push(l);
    return this;
  }

  start(node: FlowNode): FlowBuilder<Job> {
    return new FlowBuilder<Job>(this.name, (f) => this.flow(f)).start(node);
  }

  flow(f: Flow): Job {
    return {
      name: this.name,
      flow: f,
      restartable: this.isRestartable,
      listeners: [...this.jobListeners],
      ...(this.jobIncrementer ? { incrementer: this.jobIncrementer } : {}),
      ...(this.jobValidator ? { validator: this.jobValidator } : {}),
    };
  }
}

export function job(name: string): JobBuilder {
  return new JobBuilder(name);
}

/** Every step reachable in the flow, nested flows and splits included. */
export function stepsOf(f: Flow, into: Step[] = []): Step[] {
  for (const node of f.nodes.values()) {
    if (node.kind === 'flow') stepsOf(node, into);
    else if (node.kind === 'split') for (const sub of node.flows) stepsOf(sub, into);
    else if (node.kind !== 'decider') into.push(node);
  }
  return into;
}
