import { describe, expect, it } from 'vitest';
import { parseComposedTask } from './composed-parser.js';
import { GraphError } from './errors.js';
import { type Graph, type GraphLink, type GraphNode, toGraph } from './graph.js';
import { graphToText } from './graph-text.js';

const graphOf = (text: string): Graph => toGraph(parseComposedTask(text));

describe('graphToText errors', () => {
  const base = (): Graph => graphOf('a && b');
  const cases: [string, (g: Graph) => Graph, string, { nodeId?: string; linkIndex?: number }][] = [
    [
      'dangling link',
      (g) => ({ ...g, links: [...g.links, { from: '1', to: '99' }] }),
      'DANGLING_LINK',
      { linkIndex: 3 },
    ],
    [
      'no START',
      (g) => ({ ...g, nodes: g.nodes.filter((n) => n.name !== 'START'), links: g.links.slice(1) }),
      'NO_START',
      {},
    ],
    [
      'no END',
      (g) => ({ ...g, nodes: g.nodes.filter((n) => n.name !== 'END'), links: g.links.slice(0, 2) }),
      'NO_END',
      {},
    ],
    [
      'duplicate id',
      (g) => ({ ...g, nodes: [...g.nodes, { id: '1', name: 'x' }] }),
      'DUPLICATE_NODE_ID',
      { nodeId: '1' },
    ],
    ['cycle', (g) => ({ ...g, links: [...g.links, { from: '2', to: '1' }] }), 'CYCLE', { nodeId: '1' }],
    [
      'link into START',
      (g) => ({ ...g, links: [...g.links, { from: '2', to: '0' }] }),
      'LINK_TO_START',
      { nodeId: '0', linkIndex: 3 },
    ],
    [
      'unreachable node',
      (g) => ({ ...g, nodes: [...g.nodes, { id: '9', name: 'lost' }] }),
      'UNREACHABLE_NODE',
      { nodeId: '9' },
    ],
    [
      'shared target without a label',
      (g) => ({
        nodes: [...g.nodes, { id: '9', name: 'err' }],
        links: [
          ...g.links,
          { from: '1', to: '9', properties: { transitionName: 'F' } },
          { from: '2', to: '9', properties: { transitionName: 'F' } },
        ],
      }),
      'NEEDS_LABEL',
      { nodeId: '9' },
    ],
    [
      'a split that never joins',
      () => ({
        nodes: [
          { id: 's', name: 'START' },
          { id: 'a', name: 'a' },
          { id: 'b', name: 'b' },
          { id: 'x', name: '$END' },
          { id: 'e', name: 'END' },
        ],
        links: [
          { from: 's', to: 'a' },
          { from: 's', to: 'b' },
          { from: 'a', to: 'x', properties: { transitionName: '*' } },
          { from: 'b', to: 'e' },
        ],
      }),
      'NO_JOIN',
      { nodeId: 'a' },
    ],
    [
      'a transition target with transitions of its own',
      (g) => ({
        nodes: [...g.nodes, { id: '9', name: 'err' }, { id: '10', name: 'more' }],
        links: [
          ...g.links,
          { from: '1', to: '9', properties: { transitionName: 'F' } },
          { from: '9', to: '10', properties: { transitionName: 'G' } },
        ],
      }),
      'TARGET_HAS_TRANSITIONS',
      { nodeId: '9' },
    ],
    [
      'a transition target that leads elsewhere than its flow',
      (g) => ({
        nodes: [...g.nodes, { id: '9', name: 'err' }],
        links: [
          ...g.links,
          { from: '1', to: '9', properties: { transitionName: 'F' } },
          { from: '9', to: '2' },
        ],
      }),
      'TARGET_EXIT',
      { nodeId: '9' },
    ],
    [
      'no apps',
      () => ({
        nodes: [
          { id: 's', name: 'START' },
          { id: 'e', name: 'END' },
        ],
        links: [{ from: 's', to: 'e' }],
      }),
      'EMPTY_GRAPH',
      {},
    ],
    [
      'a plain link to $END',
      (g) => ({
        nodes: [...g.nodes, { id: '9', name: '$END' }],
        links: [...g.links, { from: '1', to: '9' }],
      }),
      'MISSING_TRANSITION',
      { nodeId: '9', linkIndex: 3 },
    ],
    [
      'a transition into SYNC',
      (g) => ({
        nodes: [...g.nodes, { id: '9', name: 'SYNC' }],
        links: [
          ...g.links,
          { from: '1', to: '9', properties: { transitionName: 'F' } },
          { from: '9', to: '3' },
        ],
      }),
      'BAD_TRANSITION_TARGET',
      { nodeId: '9' },
    ],
    [
      'a link out of END',
      (g) => ({ ...g, links: [...g.links, { from: '3', to: '1' }] }),
      'LINK_FROM_END',
      { nodeId: '3', linkIndex: 3 },
    ],
    [
      'a split branch that is empty',
      (g) => ({ ...g, links: [...g.links, { from: '0', to: '3' }] }),
      'EMPTY_BRANCH',
      { nodeId: '3' },
    ],
    [
      'a transition name that is not a string',
      (g) => ({
        ...g,
        links: [...g.links, { from: '1', to: '3', properties: { transitionName: 7 as unknown as string } }],
      }),
      'MALFORMED_LINK',
      { linkIndex: 3 },
    ],
    ['null', () => null as unknown as Graph, 'MALFORMED_GRAPH', {}],
    [
      'a null link',
      (g) => ({ ...g, links: [...g.links, null as unknown as GraphLink] }),
      'DANGLING_LINK',
      { linkIndex: 3 },
    ],
    ['not a graph', () => ({ nodes: 'x', links: [] }) as unknown as Graph, 'MALFORMED_GRAPH', {}],
    [
      'a node without id',
      (g) => ({ ...g, nodes: [...g.nodes, { name: 'x' } as GraphNode] }),
      'MALFORMED_NODE',
      {},
    ],
    [
      'an invalid app name',
      () => ({
        nodes: [
          { id: 's', name: 'START' },
          { id: 'a', name: 'no good' },
          { id: 'e', name: 'END' },
        ],
        links: [
          { from: 's', to: 'a' },
          { from: 'a', to: 'e' },
        ],
      }),
      'INVALID_GRAPH',
      {},
    ],
  ];
  it.each(cases)('%s', (_name, mutate, code, where) => {
    let error: unknown;
    try {
      graphToText(mutate(base()));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code, ...where });
  });
});
