import type { ComposedApp, ComposedTask, Flow, FlowElement, Transition } from './ast.js';
import { parseComposedTask } from './composed-parser.js';
import { DslError, GraphError } from './errors.js';
import { formatComposedTask } from './format.js';
import {
  END,
  END_TARGET,
  FAIL_TARGET,
  type Graph,
  type GraphNode,
  parseTransitionName,
  SEQUENCE_METADATA,
  START,
  SYNC,
} from './graph.js';
import { checkAcyclic, type GraphIndex, indexGraph, properties } from './graph-checks.js';
import { validateComposedTask } from './validator.js';

const NO_SPAN = { start: 0, end: 0 } as const;
const CONTROL = new Set([START, END, SYNC, END_TARGET, FAIL_TARGET]);

/**
 * SCDF's `/tools/convertTaskGraphToText`: turns a graph (as toGraph makes it, or as a UI drew it)
 * back into canonical DSL text. The graph is read structurally: several plain links leaving a
 * node form a split, which ends at the first node all its branches reach. Problems are reported
 * as GraphError naming the node or link to blame.
 */
export function graphToText(graph: Graph): string {
  let task: ComposedTask;
  try {
    task = new Decompiler(graph).decompile();
  } catch (error) {
    if (error instanceof GraphError) throw error;
    // Input arrives from HTTP bodies: whatever it is, callers get the one error type.
    throw new GraphError('MALFORMED_GRAPH', `The graph cannot be read: ${String(error)}`);
  }
  const text = formatComposedTask(task);
  try {
    const [problem] = validateComposedTask(parseComposedTask(text));
    if (problem) throw problem;
  } catch (error) {
    if (!(error instanceof DslError)) throw error;
    throw new GraphError(
      'INVALID_GRAPH',
      `The graph makes an invalid definition '${text}': ${error.message}`,
    );
  }
  return text;
}

class Decompiler {
  private readonly inlined = new Set<string>();
  private readonly reachCache = new Map<string, Set<string>>();
  private readonly placed = new Set<string>();
  /** First nodes of secondary sequences, as transitions name them. */
  private readonly sequences: string[] = [];
  private readonly ix: GraphIndex;

  constructor(private readonly graph: Graph) {
    this.ix = indexGraph(graph);
  }

  decompile(): ComposedTask {
    checkAcyclic(this.ix.byId, this.graph);
    const flow = this.flow(this.ix.plainOut.get(this.ix.start) ?? [], this.ix.end);
    if (flow.elements.length === 0)
      throw new GraphError('EMPTY_GRAPH', 'The graph has no app between START and END');
    // Secondary sequences, each run to the graph's END; one may jump on to further sequences.
    const secondary = new Map<string, Flow>();
    for (let id = this.sequences.find((s) => !secondary.has(s)); id !== undefined; ) {
      secondary.set(id, this.flow([id], this.ix.end));
      id = this.sequences.find((s) => !secondary.has(s));
    }
    for (const node of this.graph.nodes) {
      if (!CONTROL.has(node.name) && !this.placed.has(node.id) && !this.inlined.has(node.id)) {
        throw new GraphError(
          'UNREACHABLE_NODE',
          `Node '${node.id}' (${node.name}) cannot be reached from START`,
          node.id,
        );
      }
    }
    // In text order, as toGraph numbered them.
    const order = (id: string) => this.ix.order.get(id)!;
    const sequences = [...secondary].sort(([a], [b]) => order(a) - order(b)).map(([, f]) => f);
    return { kind: 'composed', text: '', flow, secondary: sequences };
  }

  /** The elements from `starts` up to (not including) `stop`. */
  private flow(starts: readonly string[], stop: string): Flow {
    const elements: FlowElement[] = [];
    let targets = starts;
    while (targets.length > 0) {
      if (targets.length > 1) {
        const join = this.joinOf(targets);
        let groups = this.group(targets, join);
        if (groups.length === 1) groups = targets.map((t) => [t]);
        const branches = groups.map((g) => {
          if (g.length === 1 && g[0] === join) {
            throw new GraphError('EMPTY_BRANCH', `A split branch leads straight to node '${join}'`, join);
          }
          return this.flow(g, join);
        });
        elements.push({ kind: 'split', branches, span: NO_SPAN });
        targets = [join];
        continue;
      }
      const id = targets[0]!;
      if (id === stop || id === this.ix.end) break;
      const node = this.ix.byId.get(id)!;
      if (node.name === SYNC) {
        targets = this.ix.plainOut.get(id) ?? [];
        continue;
      }
      if (CONTROL.has(node.name)) {
        throw new GraphError('MISPLACED_CONTROL_NODE', `Node '${id}' (${node.name}) cannot appear here`, id);
      }
      this.placed.add(id);
      elements.push(this.app(node, stop));
      targets = this.ix.plainOut.get(id) ?? [];
    }
    return { kind: 'flow', elements, span: NO_SPAN };
  }

  /** An app node; `stop` is where its flow continues, undefined for a transition target. */
  private app(node: GraphNode, stop: string | undefined): ComposedApp {
    const transitions: Transition[] = [];
    const edges = this.ix.transitionsOut.get(node.id) ?? [];
    if (stop === undefined && edges.length > 0) {
      throw new GraphError(
        'TARGET_HAS_TRANSITIONS',
        `Node '${node.id}' is a transition target and cannot have transitions of its own`,
        node.id,
      );
    }
    for (const edge of edges) {
      transitions.push({
        on: parseTransitionName(edge.transition!),
        target: this.target(node, edge.to, stop!),
        span: NO_SPAN,
      });
    }
    const app: ComposedApp = {
      kind: 'app',
      name: node.name,
      properties: properties(node),
      transitions,
      span: NO_SPAN,
    };
    return node.label === undefined || node.label === null ? app : { ...app, label: node.label };
  }

  private target(from: GraphNode, to: string, stop: string): Transition['target'] {
    const node = this.ix.byId.get(to)!;
    if (node.name === END_TARGET || node.name === END) return { kind: 'end' };
    if (node.name === FAIL_TARGET) return { kind: 'fail' };
    if (CONTROL.has(node.name)) {
      throw new GraphError(
        'BAD_TRANSITION_TARGET',
        `A transition cannot lead to ${node.name} (node '${to}')`,
        to,
      );
    }
    if (this.startsSequence(node, stop)) {
      if (!this.sequences.includes(to)) this.sequences.push(to);
      return { kind: 'ref', label: node.label! };
    }
    if ((this.ix.plainIn.get(to) ?? 0) === 0 && !this.inlined.has(to) && this.owner(to) === from.id) {
      this.inlined.add(to);
      // In the DSL a transition target continues after its flow; a graph saying otherwise is lost.
      const exits = this.ix.plainOut.get(to) ?? [];
      if (exits.some((e) => e !== stop)) {
        throw new GraphError(
          'TARGET_EXIT',
          `Transition target '${to}' (${node.name}) must lead to where its flow continues (node '${stop}')`,
          to,
        );
      }
      return { kind: 'app', app: this.app(node, undefined) };
    }
    if (node.label === undefined || node.label === null || node.label === '') {
      throw new GraphError(
        'NEEDS_LABEL',
        `Node '${to}' (${node.name}) is reached from several places and needs a label`,
        to,
      );
    }
    return { kind: 'ref', label: node.label };
  }

  /**
   * Whether a transition target begins a secondary sequence: a labelled node only transitions
   * enter, marked so by toGraph, or leading somewhere other than where an inline target must go
   * (on to further apps, or to END from inside a split).
   */
  private startsSequence(node: GraphNode, stop: string): boolean {
    if (node.label === undefined || node.label === null || node.label === '') return false;
    if ((this.ix.plainIn.get(node.id) ?? 0) > 0 || this.inlined.has(node.id)) return false;
    if (node.metadata?.[SEQUENCE_METADATA] === 'secondary') return true;
    const exits = this.ix.plainOut.get(node.id) ?? [];
    return exits.length > 0 && exits.some((e) => e !== stop);
  }

  /**
   * Which of several transitions into a node writes the node inline (the others use ':label').
   * Ids follow the text order, so the owner is the closest source listed before the node.
   */
  private owner(id: string): string {
    const sources = this.ix.transitionSources.get(id) ?? [];
    const at = this.ix.order.get(id)!;
    let best = sources[0]!;
    for (const s of sources) {
      const o = this.ix.order.get(s)!;
      if (o < at && (this.ix.order.get(best)! > at || o > this.ix.order.get(best)!)) best = s;
    }
    return best;
  }

  /** Every node reachable from `id` (itself included), not counting the $END/$FAIL sinks. */
  private reach(id: string): Set<string> {
    const cached = this.reachCache.get(id);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [id];
    while (stack.length > 0) {
      const n = stack.pop()!;
      const name = this.ix.byId.get(n)!.name;
      if (seen.has(n) || name === END_TARGET || name === FAIL_TARGET) continue;
      seen.add(n);
      stack.push(...(this.ix.plainOut.get(n) ?? []));
      for (const e of this.ix.transitionsOut.get(n) ?? []) stack.push(e.to);
    }
    this.reachCache.set(id, seen);
    return seen;
  }

  /** The first node every start reaches: where the split's branches join. */
  private joinOf(starts: readonly string[]): string {
    const [first, ...rest] = starts.map((s) => this.reach(s));
    const common = [...first!].filter((n) => rest.every((r) => r.has(n)));
    const join = common.find((c) => common.every((o) => this.reach(c).has(o)));
    if (join === undefined) {
      throw new GraphError('NO_JOIN', `The branches leaving node '${starts[0]}' never join`, starts[0]);
    }
    return join;
  }

  /** Starts whose branches join before `join` belong to one nested split: <<a || b> && c || d>. */
  private group(starts: readonly string[], join: string): string[][] {
    const groups: string[][] = [];
    for (const s of starts) {
      const g = groups.find((candidate) => candidate.some((o) => this.joinOf([o, s]) !== join));
      if (g) g.push(s);
      else groups.push([s]);
    }
    return groups;
  }
}
