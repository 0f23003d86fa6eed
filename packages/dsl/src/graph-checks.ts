import { GraphError } from './errors.js';
import type { Graph, GraphNode } from './graph.js';

/** Helpers of graphToText that check a graph's shape before it is read. */

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
