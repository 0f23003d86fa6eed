import type { ComposedApp, ComposedTask, Flow, TransitionCondition } from './ast.js';
import { allApps } from './ast.js';
import { assertValid } from './validator.js';

/**
 * The graph shape of SCDF's `/tools/parseTaskTextToGraph` (what the Flo UI draws): nodes with
 * string ids, START and END control nodes, SYNC where one split joins straight into another, and
 * "$END"/"$FAIL" nodes for transitions that end the task. Links carry the transition's status in
 * `properties.transitionName`; a link without one is the normal "&&" or split path.
 */
export interface GraphNode {
  id: string;
  name: string;
  label?: string;
  properties?: Record<string, string>;
  metadata?: Record<string, string>;
}

export interface GraphLink {
  from: string;
  to: string;
  properties?: { transitionName?: string };
}

export interface Graph {
  nodes: GraphNode[];
  links: GraphLink[];
}

export const START = 'START';
export const END = 'END';
export const SYNC = 'SYNC';
export const END_TARGET = '$END';
export const FAIL_TARGET = '$FAIL';
/** Node metadata key marking the first app of a secondary sequence (value `secondary`). */
export const SEQUENCE_METADATA = 'sequence';

/**
 * The transitionName of a link. SCDF writes the bare status; a quoted status that looks like an
 * exit code (or starts with a quote) keeps its quotes so that the graph reads back unambiguously.
 */
export function transitionName(on: TransitionCondition): string {
  switch (on.kind) {
    case 'wildcard':
      return '*';
    case 'exitCode':
      return String(on.code);
    case 'status':
      return /^[0-9]+$/.test(on.status) || on.status.startsWith("'")
        ? `'${on.status.replaceAll("'", "''")}'`
        : on.status;
  }
}

export function parseTransitionName(name: string): TransitionCondition {
  if (name === '*' || name === "'*'") return { kind: 'wildcard' };
  if (/^[0-9]+$/.test(name)) return { kind: 'exitCode', code: Number(name) };
  if (name.length >= 2 && name.startsWith("'") && name.endsWith("'")) {
    return { kind: 'status', status: name.slice(1, -1).replaceAll("''", "'") };
  }
  return { kind: 'status', status: name };
}

/** Converts a valid composed task into its graph. Throws the first DslError if it is not valid. */
export function toGraph(task: ComposedTask): Graph {
  assertValid(task);
  return new GraphBuilder(task).build();
}

class GraphBuilder {
  private readonly nodes: GraphNode[] = [{ id: '0', name: START }];
  private readonly links: GraphLink[] = [];
  private readonly ids = new Map<ComposedApp, string>();
  private readonly labelIds = new Map<string, string>();
  private readonly special = new Map<string, string>();

  constructor(private readonly task: ComposedTask) {
    // Ids follow the text order, so a graph reads the same way as the definition it came from.
    for (const app of allApps(task)) {
      const id = String(this.nodes.length);
      this.ids.set(app, id);
      if (app.label !== undefined) this.labelIds.set(app.label, id);
      const node: GraphNode = { id, name: app.name };
      if (app.label !== undefined) node.label = app.label;
      if (Object.keys(app.properties).length > 0) node.properties = { ...app.properties };
      this.nodes.push(node);
    }
  }

  build(): Graph {
    const exits = this.flow(this.task.flow, ['0']);
    // A secondary sequence is entered only through ':label' links; it ends where the graph ends.
    // Its first node says so, so that graphToText writes it back as a sequence, not inline.
    for (const sequence of this.task.secondary) {
      const first = sequence.elements[0];
      if (first?.kind === 'app') {
        const node = this.nodes[Number(this.ids.get(first))]!;
        node.metadata = { ...node.metadata, [SEQUENCE_METADATA]: 'secondary' };
      }
      exits.push(...this.flow(sequence, []));
    }
    const end = this.addNode(END);
    for (const from of exits) this.link(from, end);
    return { nodes: this.nodes, links: this.links };
  }

  private addNode(name: string): string {
    const id = String(this.nodes.length);
    this.nodes.push({ id, name });
    return id;
  }

  private link(from: string, to: string, transition?: string): void {
    this.links.push(
      transition === undefined ? { from, to } : { from, to, properties: { transitionName: transition } },
    );
  }

  private specialNode(name: string): string {
    let id = this.special.get(name);
    if (id === undefined) {
      id = this.addNode(name);
      this.special.set(name, id);
    }
    return id;
  }

  /**
   * Links a flow after the `incoming` nodes and returns the nodes its successor must follow: the
   * last element's exits plus every transition-target app (which, in SCDF, continues to whatever
   * comes after the flow).
   */
  private flow(flow: Flow, incoming: string[]): string[] {
    let current = incoming;
    const otherExits: string[] = [];
    for (const element of flow.elements) {
      if (element.kind === 'split') {
        if (current.length > 1) {
          const sync = this.addNode(SYNC);
          for (const from of current) this.link(from, sync);
          current = [sync];
        }
        const fork = current;
        current = element.branches.flatMap((branch) => this.flow(branch, fork));
        continue;
      }
      const id = this.ids.get(element)!;
      for (const from of current) this.link(from, id);
      current = [id];
      for (const t of element.transitions) {
        const name = transitionName(t.on);
        const target = t.target;
        if (target.kind === 'app') {
          const targetId = this.ids.get(target.app)!;
          this.link(id, targetId, name);
          otherExits.push(targetId);
        } else if (target.kind === 'ref') {
          this.link(id, this.labelIds.get(target.label)!, name);
        } else {
          this.link(id, this.specialNode(target.kind === 'end' ? END_TARGET : FAIL_TARGET), name);
        }
      }
    }
    return [...current, ...otherExits];
  }
}
