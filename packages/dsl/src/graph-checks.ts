import { GraphError } from './errors.js';
import { END, END_TARGET, FAIL_TARGET, type Graph, type GraphNode, START } from './graph.js';

/** Helpers of graphToText that check a graph's shape before it is read. */

export interface Edge {
  readonly to: string;
  readonly transition?: string;
}

/** A graph's nodes and links, checked and indexed for reading. */
export interface GraphIndex {
  readonly byId: Map<string, GraphNode>;
  /** Position of each node in `graph.nodes`: text order for graphs made by toGraph. */
  readonly order: Map<string, number>;
  /** Plain links ("&&" and split paths) by source. */
  readonly plainOut: Map<string, string[]>;
  readonly transitionsOut: Map<string, Edge[]>;
  readonly plainIn: Map<string, number>;
  readonly transitionSources: Map<string, string[]>;
  start: string;
  end: string;
}

export function indexGraph(graph: Graph): GraphIndex {
  const ix: GraphIndex = {
    byId: new Map(),
    order: new Map(),
    plainOut: new Map(),
    transitionsOut: new Map(),
    plainIn: new Map(),
    transitionSources: new Map(),
    start: '',
    end: '',
  };
  const { nodes, links } = graph;
  if (!Array.isArray(nodes) || !Array.isArray(links)) {
    throw new GraphError('MALFORMED_GRAPH', 'A graph needs a nodes array and a links array');
  }
  nodes.forEach((node, i) => {
    if (typeof node?.id !== 'string' || node.id === '' || typeof node.name !== 'string') {
      throw new GraphError('MALFORMED_NODE', `Node #${i} needs a string id and a string name`);
    }
    if (ix.byId.has(node.id))
      throw new GraphError('DUPLICATE_NODE_ID', `Node id '${node.id}' is used twice`, node.id);
    ix.byId.set(node.id, node);
    ix.order.set(node.id, i);
  });
  const starts = nodes.filter((n) => n.name === START);
  const ends = nodes.filter((n) => n.name === END);
  if (starts.length !== 1)
    throw new GraphError('NO_START', `A graph needs exactly one START node, not ${starts.length}`);
  if (ends.length !== 1)
    throw new GraphError('NO_END', `A graph needs exactly one END node, not ${ends.length}`);
  ix.start = starts[0]!.id;
  ix.end = ends[0]!.id;
  links.forEach((link, i) => {
    const from = ix.byId.get(link?.from);
    const to = ix.byId.get(link?.to);
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
      push(ix.plainOut, from.id, to.id);
      ix.plainIn.set(to.id, (ix.plainIn.get(to.id) ?? 0) + 1);
    } else {
      if (typeof transition !== 'string') {
        throw new GraphError(
          'MALFORMED_LINK',
          `Link #${i} has a transitionName that is not a string`,
          undefined,
          i,
        );
      }
      push(ix.transitionsOut, from.id, { to: to.id, transition });
      push(ix.transitionSources, to.id, from.id);
    }
  });
  return ix;
}

export function properties(node: GraphNode): Record<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(node.properties ?? {})) {
    if (typeof v !== 'string') {
      throw new GraphError('MALFORMED_NODE', `Property '${k}' of node '${node.id}' is not a string`, node.id);
    }
    out.set(k, v);
  }
  return Object.fromEntries(out);
}

export function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Rejects a graph with a loop (the DSL cannot express one), naming a node on it. */
export function checkAcyclic(byId: ReadonlyMap<string, GraphNode>, graph: Graph): void {
  const next = new Map<string, string[]>();
  for (const l of graph.links) push(next, l.from, l.to);
  const state = new Map<string, 1 | 2>();
  for (const root of byId.keys()) {
    if (state.has(root)) continue;
    const stack: [string, number][] = [[root, 0]];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const children = next.get(top[0]) ?? [];
      if (top[1] >= children.length) {
        state.set(top[0], 2);
        stack.pop();
        continue;
      }
      const child = children[top[1]++]!;
      if (state.get(child) === 1)
        throw new GraphError('CYCLE', `The graph loops back to node '${child}'`, child);
      if (!state.has(child)) {
        state.set(child, 1);
        stack.push([child, 0]);
      }
    }
  }
}
