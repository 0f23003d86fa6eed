import { describe, expect, it } from 'vitest';
import type { ComposedTask } from './ast.js';
import { parseComposedTask } from './composed-parser.js';
import { DslError } from './errors.js';
import { formatComposedTask } from './format.js';
import { type Graph, toGraph } from './graph.js';
import { graphToText } from './graph-text.js';
import { validateComposedTask } from './validator.js';

// graph → text for SCDF's secondary sequences: text → graph → text gives the canonical text back,
// for a table of the shapes SCDF documents and for generated definitions.

const canonical = (text: string) => formatComposedTask(parseComposedTask(text));
const roundTrip = (text: string) => graphToText(toGraph(parseComposedTask(text)));

describe('secondary sequences: graph → text', () => {
  it.each([
    ["appA 'FAILED'->:label1 && appB\nlabel1: appC && appD"],
    ['a 1->:x && b\nx: c'],
    ['a 1->:x && b; x: c'],
    ['<a 1->:x || b>\nx: c'],
    ['<a 1->:x || b> && d\nx: c && e'],
    ['a 1->:x 2->:y && b\nx: c\ny: d && e'],
    ["a 1->:x && b\nx: c 'FAILED'->:y && f\ny: d"],
    ['a 1->:x && b 2->:x\nx: c && d'],
    ['a 1->:x && b\nx: c && <d || e> && f'],
    ["a 'FAILED'->:x 2->$END && b\nx: c --p=1 && d 0->$FAIL"],
  ])('%j', (text) => {
    expect(roundTrip(text)).toBe(canonical(text));
    // …and the text made from the graph makes the same graph again.
    expect(toGraph(parseComposedTask(roundTrip(text)))).toEqual(toGraph(parseComposedTask(text)));
  });

  it('a graph drawn without the sequence marker still reads a multi-app target as a sequence', () => {
    const graph: Graph = toGraph(parseComposedTask('a 1->:x && b\nx: c && d'));
    for (const node of graph.nodes) delete node.metadata;
    expect(graphToText(graph)).toBe('a 1 -> :x && b\nx: c && d');
  });

  it('an unlabelled node that leads on to other apps is still refused, naming it', () => {
    const graph = toGraph(parseComposedTask('a 1->:x && b\nx: c && d'));
    const x = graph.nodes.find((n) => n.label === 'x')!;
    delete x.label;
    delete x.metadata;
    expect(() => graphToText(graph)).toThrow(/Transition target '\d+' \(c\)/);
  });

  it('generated definitions with secondary sequences round-trip', () => {
    let seed = 20261203;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    let app = 0;
    const name = () => `t${app++}`;
    const conditions = ['0', '1', "'FAILED'", "'COMPLETED'", "'*'"];
    let checked = 0;
    for (let i = 0; i < 400; i++) {
      app = 0;
      const labels = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => `l${k}`);
      // Each sequence is jumped to from an earlier line, so none is unreachable or a cycle.
      const element = (jumpTo: readonly string[]) => {
        const used = new Set<string>();
        const transitions: string[] = [];
        for (const label of jumpTo) {
          let on = pick(conditions);
          while (used.has(on)) on = pick(conditions);
          used.add(on);
          transitions.push(`${on}->:${label}`);
        }
        return [name(), ...transitions].join(' ');
      };
      const chain = (jumpTo: readonly string[]) => {
        const length = 1 + Math.floor(random() * 3);
        const items = Array.from({ length }, (_, k) => (k === 0 ? element(jumpTo) : name()));
        if (random() < 0.3) items.splice(1, 0, `<${name()} || ${name()}>`);
        return items.join(' && ');
      };
      const lines = [chain(labels.slice(0, 1 + Math.floor(random() * labels.length)))];
      for (const [k, label] of labels.entries()) {
        const later = labels.slice(k + 1).filter((l) => !lines.join('\n').includes(`:${l}`));
        lines.push(`${label}: ${chain(random() < 0.5 ? later.slice(0, 1) : [])}`);
      }
      const text = lines.join(random() < 0.5 ? '\n' : '; ');
      let task: ComposedTask;
      try {
        task = parseComposedTask(text);
      } catch (error) {
        if (error instanceof DslError) continue;
        throw error;
      }
      if (validateComposedTask(task).length > 0) continue;
      expect(roundTrip(text), text).toBe(canonical(text));
      checked++;
    }
    // Guards against a generator change that silently stops producing valid definitions.
    expect(checked).toBeGreaterThan(200);
  });
});
