import type { ComposedApp, Flow, FlowElement, Transition } from './ast.js';
import { parseComposedTask } from './composed-parser.js';
import { DslError, GraphError } from './errors.js';
import { formatFlow } from './format.js';
import {
  END,
  END_TARGET,
  FAIL_TARGET,
  type Graph,
  type GraphNode,
  parseTransitionName,
  START,
  SYNC,
} from './graph.js';
import { checkAcyclic, properties, push } from './graph-checks.js';
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
  let flow: Flow;
  try {
    flow = new Decompiler(graph).decompile();
  } catch (error) {
    if (error instanceof GraphError) throw error;
    // Input arrives from HTTP bodies: whatever it is, callers get the one error type.
    throw new GraphError('MALFORMED_GRAPH', `The graph cannot be read: ${String(error)}`);
  }
  const text = formatFlow(flow);
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

interface Edge {
  readonly to: string;
  readonly transition?: string;
}

class Decompiler {
  private readonly byId = new Map<string, GraphNode>();
  private readonly order = new Map<string, number>();
  private readonly plainOut = new Map<string, string[]>();
  private readonly transitionsOut = new Map<string, Edge[]>();
  private readonly plainIn = new Map<string, number>();
  private readonly transitionSources = new Map<string, string[]>();
  private readonly inlined = new Set<string>();
  private readonly reachCache = new Map<string, Set<string>>();
  private readonly placed = new Set<string>();
  private start = '';
  private end = '';

  constructor(private readonly graph: Graph) {}

  decompile(): Flow {
    this.index();
    checkAcyclic(this.byId, this.graph);
    const flow = this.flow(this.plainOut.get(this.start) ?? [], this.end);
    if (flow.elements.length === 0)
      throw new GraphError('EMPTY_GRAPH', 'The graph has no app between START and END');
    for (const node of this.graph.nodes) {
      if (!CONTROL.has(node.name) && !this.placed.has(node.id) && !this.inlined.has(node.id)) {
        throw new GraphError(
          'UNREACHABLE_NODE',
          `Node '${node.id}' (${node.name}) cannot be reached from START`,
          node.id,
        );
      }
    }
    return flow;
  }

  private index(): void {
    const { nodes, links } = this.graph;
    if (!Array.isArray(nodes) || !Array.isArray(links)) {
      throw new GraphError('MALFORMED_GRAPH', 'A graph needs a nodes array and a links array');
    }
    nodes.forEach((node, i) => {
      if (typeof node?.id !== 'string' || node.id === '' || typeof node.name !== 'string') {
        throw new GraphError('MALFORMED_NODE', `Node #${i} needs a string id and a string name`);
      }
      if (this.byId.has(node.id))
        throw new GraphError('DUPLICATE_NODE_ID', `Node id '${node.id}' is used twice`, node.id);
      this.byId.set(node.id, node);
      this.order.set(node.id, i);
    });
    const starts = nodes.filter((n) => n.name === START);
    const ends = nodes.filter((n) => n.name === END);
    if (starts.length !== 1)
      throw new GraphError('NO_START', `A graph needs exactly one START node, not ${starts.length}`);
    if (ends.length !== 1)
      throw new GraphError('NO_END', `A graph needs exactly one END node, not ${ends.length}`);
    this.start = starts[0]!.id;
    this.end = ends[0]!.id;
    links.forEach((link, i) => {
      const from = this.byId.get(link?.from);
      const to = this.byId.get(link?.to);
      if (!from || !to) {
        const missing = from ? link?.to : link?.from;
        throw new GraphError(
          'DANGLING_LINK',
          `Link #${i} refers to node '${String(missing)}', which does not exist`,
          undefined,
          i,
        );
      }
      if (to.name === START) throw new GraphError('LINK_TO_START', `Link #${i} leads into START`, to.id, i);
      if ([END, END_TARGET, FAIL_TARGET].includes(from.name)) {
        throw new GraphError(
          'LINK_FROM_END',
          `Link #${i} leaves ${from.name}, which ends the task`,
          from.id,
          i,
        );
      }
      const transition = link.properties?.transitionName;
      if (transition === undefined || transition === null || transition === '') {
        if (to.name === END_TARGET || to.name === FAIL_TARGET) {
          throw new GraphError(
            'MISSING_TRANSITION',
            `Link #${i} to ${to.name} needs a transitionName`,
            to.id,
            i,
          );
        }
        push(this.plainOut, from.id, to.id);
        this.plainIn.set(to.id, (this.plainIn.get(to.id) ?? 0) + 1);
      } else {
        if (typeof transition !== 'string') {
          throw new GraphError(
            'MALFORMED_LINK',
            `Link #${i} has a transitionName that is not a string`,
            undefined,
            i,
          );
        }
        push(this.transitionsOut, from.id, { to: to.id, transition });
        push(this.transitionSources, to.id, from.id);
      }
    });
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
      if (id === stop || id === this.end) break;
      const node = this.byId.get(id)!;
      if (node.name === SYNC) {
        targets = this.plainOut.get(id) ?? [];
        continue;
      }
      if (CONTROL.has(node.name)) {
        throw new GraphError('MISPLACED_CONTROL_NODE', `Node '${id}' (${node.name}) cannot appear here`, id);
      }
      this.placed.add(id);
      elements.push(this.app(node, stop));
      targets = this.plainOut.get(id) ?? [];
    }
    return { kind: 'flow', elements, span: NO_SPAN };
  }

  /** An app node; `stop` is where its flow continues, undefined for a transition target. */
  private app(node: GraphNode, stop: string | undefined): ComposedApp {
    const transitions: Transition[] = [];
    const edges = this.transitionsOut.get(node.id) ?? [];
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
    const node = this.byId.get(to)!;
    if (node.name === END_TARGET || node.name === END) return { kind: 'end' };
    if (node.name === FAIL_TARGET) return { kind: 'fail' };
    if (CONTROL.has(node.name)) {
      throw new GraphError(
        'BAD_TRANSITION_TARGET',
        `A transition cannot lead to ${node.name} (node '${to}')`,
        to,
      );
    }
    if ((this.plainIn.get(to) ?? 0) === 0 && !this.inlined.has(to) && this.owner(to) === from.id) {
      this.inlined.add(to);
      // In the DSL a transition target continues after its flow; a graph saying otherwise is lost.
      const exits = this.plainOut.get(to) ?? [];
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
   * Which of several transitions into a node writes the node inline (the others use ':label').
   * Ids follow the text order, so the owner is the closest source listed before the node.
   */
  private owner(id: string): string {
    const sources = this.transitionSources.get(id) ?? [];
    const at = this.order.get(id)!;
    let best = sources[0]!;
    for (const s of sources) {
      const o = this.order.get(s)!;
      if (o < at && (this.order.get(best)! > at || o > this.order.get(best)!)) best = s;
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
      const name = this.byId.get(n)!.name;
      if (seen.has(n) || name === END_TARGET || name === FAIL_TARGET) continue;
      seen.add(n);
      stack.push(...(this.plainOut.get(n) ?? []));
      for (const e of this.transitionsOut.get(n) ?? []) stack.push(e.to);
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
