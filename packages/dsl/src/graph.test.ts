import { describe, expect, it } from 'vitest';
import { withoutSpans } from './ast.js';
import { parseComposedTask } from './composed-parser.js';
import { ROUND_TRIP_CORPUS } from './corpus.fixture.js';
import { DslError } from './errors.js';
import { formatComposedTask } from './format.js';
import { type Graph, parseTransitionName, toGraph, transitionName } from './graph.js';
import { graphToText } from './graph-text.js';

const graphOf = (text: string): Graph => toGraph(parseComposedTask(text));
/** Compact view: nodes as "id:name", links as "from>to" or "from>to:transition". */
const compact = (g: Graph): { nodes: string[]; links: string[] } => ({
  nodes: g.nodes.map((n) => `${n.id}:${n.label ? `${n.label}=` : ''}${n.name}`),
  links: g.links.map(
    (l) => `${l.from}>${l.to}${l.properties?.transitionName ? `:${l.properties.transitionName}` : ''}`,
  ),
});

describe('toGraph', () => {
  it('makes START, the apps and END for a sequence', () => {
    expect(compact(graphOf('a && b'))).toEqual({
      nodes: ['0:START', '1:a', '2:b', '3:END'],
      links: ['0>1', '1>2', '2>3'],
    });
  });

  it('forks and joins a split at the next node, as SCDF does', () => {
    expect(compact(graphOf('<a || b> && c'))).toEqual({
      nodes: ['0:START', '1:a', '2:b', '3:c', '4:END'],
      links: ['0>1', '0>2', '1>3', '2>3', '3>4'],
    });
  });

  it('puts a SYNC node between two splits', () => {
    expect(compact(graphOf('<a || b> && <c || d>'))).toEqual({
      nodes: ['0:START', '1:a', '2:b', '3:c', '4:d', '5:SYNC', '6:END'],
      links: ['0>1', '0>2', '1>5', '2>5', '5>3', '5>4', '3>6', '4>6'],
    });
  });

  it('links transitions with their status; a target app continues after its flow', () => {
    expect(compact(graphOf("a 'FAILED' -> b && c"))).toEqual({
      nodes: ['0:START', '1:a', '2:b', '3:c', '4:END'],
      links: ['0>1', '1>2:FAILED', '1>3', '3>4', '2>4'],
    });
  });

  it('uses $END and $FAIL nodes and label references', () => {
    expect(compact(graphOf("x: a 1 -> $END 'E' -> $FAIL 'J' -> :z && b && z: c"))).toEqual({
      nodes: ['0:START', '1:x=a', '2:b', '3:z=c', '4:$END', '5:$FAIL', '6:END'],
      links: ['0>1', '1>4:1', '1>5:E', '1>3:J', '1>2', '2>3', '3>6'],
    });
  });

  it('carries properties and labels on nodes', () => {
    expect(graphOf('l: a --x=1').nodes[1]).toEqual({
      id: '1',
      name: 'a',
      label: 'l',
      properties: { x: '1' },
    });
  });

  it('refuses an invalid task with its DslError', () => {
    expect(() => graphOf('a && a')).toThrow(DslError);
  });

  it('encodes transition names unambiguously', () => {
    for (const on of [
      { kind: 'wildcard' },
      { kind: 'exitCode', code: 3 },
      { kind: 'status', status: '3' },
      { kind: 'status', status: "'q'" },
      { kind: 'status', status: "'" },
      { kind: 'status', status: 'FAILED' },
    ] as const) {
      expect(parseTransitionName(transitionName(on))).toEqual(on);
    }
  });
});

describe('graphToText round trip', () => {
  it.each(ROUND_TRIP_CORPUS)('%j', (text) => {
    const task = parseComposedTask(text);
    expect(formatComposedTask(task)).toBe(text);
    const graph = JSON.parse(JSON.stringify(toGraph(task))) as Graph;
    const back = graphToText(graph);
    expect(back).toBe(text);
    expect(withoutSpans(parseComposedTask(back))).toEqual(withoutSpans(task));
  });

  it('canonicalises layout and redundant syntax', () => {
    expect(graphToText(graphOf('(a&&b)  &&\n<<c||d>||e> && f "X"->$END'))).toBe(
      "a && b && <c || d || e> && f 'X' -> $END",
    );
  });

  it('accepts a graph drawn by hand with nodes in any order and a transition to END', () => {
    const graph: Graph = {
      nodes: [
        { id: 'e', name: 'END' },
        { id: 'b', name: 'bar' },
        { id: 'f', name: 'foo', properties: { x: 'a b' } },
        { id: 's', name: 'START' },
      ],
      links: [
        { from: 's', to: 'f' },
        { from: 'f', to: 'b' },
        { from: 'f', to: 'e', properties: { transitionName: 'DONE' } },
        { from: 'b', to: 'e' },
      ],
    };
    expect(graphToText(graph)).toBe('foo --x="a b" \'DONE\' -> $END && bar');
  });
});
