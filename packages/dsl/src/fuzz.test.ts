import { describe, expect, it } from 'vitest';
import { isComposedTask } from './apps.js';
import { allApps, appId, withoutSpans } from './ast.js';
import { parseComposedTask } from './composed-parser.js';
import { ROUND_TRIP_CORPUS } from './corpus.fixture.js';
import { DslError, GraphError } from './errors.js';
import { formatComposedTask } from './format.js';
import { type Graph, toGraph } from './graph.js';
import { graphToText } from './graph-text.js';
import { type ChildOutcome, planComposedTask } from './planner.js';
import { formatTaskApp, parseTaskDefinition } from './task-definition.js';
import { validateComposedTask } from './validator.js';

/** mulberry32: small, seeded, good enough to make failures reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  'a',
  'b',
  'c',
  'd',
  'e',
  'x:',
  'y:',
  'z:',
  '&&',
  '&&',
  '||',
  '<',
  '>',
  '(',
  ')',
  "'FAILED'",
  '"X"',
  "'*'",
  '2',
  '0',
  '*',
  '->',
  '->',
  '$END',
  '$FAIL',
  ':x',
  ':y',
  '--p=1',
  '--q="v w"',
  "--r='it''s'",
  ' ',
  '\n',
  "'",
  '"',
  '-',
  '--',
  '=',
  ':',
  'START',
  '9',
  '$',
  ';',
  '&',
  '|',
  'a.b-c',
  '\t',
];
const CHARS = ` \n\t&|<>()'":*-=$;abcxyz0129_.`;

/** Grammar-driven random definitions: mostly valid, so the graph and planner paths get deep coverage. */
function generate(random: () => number): string {
  let next = 0;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const ws = (): string => pick([' ', ' ', ' ', '', '\n  ']);
  const labels: string[] = [];
  const app = (withTransitions: boolean): string => {
    const name = `app${next++}`;
    let text = name;
    if (random() < 0.2) {
      labels.push(`l${next}`);
      text = `l${next}: ${name}`;
    }
    if (random() < 0.2) text += ` --p${next}=${pick(['1', '"a b"', "'x'", '""'])}`;
    if (withTransitions) {
      const count = random() < 0.3 ? 1 + Math.floor(random() * 2) : 0;
      for (let i = 0; i < count; i++) {
        const on = pick(["'FAILED'", "'X'", '2', "'*'", "'F*'"]);
        const to =
          random() < 0.6
            ? app(false)
            : pick(['$END', '$FAIL', `:${pick(labels.length > 0 ? labels : ['l0'])}`]);
        text += `${ws()}${on}${ws()}->${ws()}${to}`;
      }
    }
    return text;
  };
  const flow = (depth: number): string => {
    const n = 1 + Math.floor(random() * 3);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (depth < 3 && random() < 0.3) {
        const branches: string[] = [];
        const b = 2 + Math.floor(random() * 2);
        for (let j = 0; j < b; j++) branches.push(flow(depth + 1));
        parts.push(`<${branches.join(`${ws()}||${ws()}`)}>`);
      } else parts.push(app(true));
    }
    const text = parts.join(`${ws()}&&${ws()}`);
    return random() < 0.1 ? `(${text})` : text;
  };
  return flow(0);
}

const stats = { cases: 0, parsed: 0, valid: 0 };

/** Checks every property that must hold for any input, returning nothing; throws on a breach. */
function check(text: string, random: () => number): void {
  stats.cases++;
  expect(() => isComposedTask(text)).not.toThrow();
  try {
    const node = parseTaskDefinition(text);
    expect(parseTaskDefinition(formatTaskApp(node)).properties).toEqual(node.properties);
  } catch (error) {
    expectDslError(error, text);
  }
  let task: ReturnType<typeof parseComposedTask>;
  try {
    task = parseComposedTask(text);
  } catch (error) {
    expectDslError(error, text);
    return;
  }
  stats.parsed++;
  const canonical = formatComposedTask(task);
  const reparsed = parseComposedTask(canonical);
  expect(withoutSpans(reparsed), text).toEqual(withoutSpans(task));
  expect(formatComposedTask(reparsed)).toBe(canonical);
  if (validateComposedTask(task).length > 0) return;
  stats.valid++;
  const graph = JSON.parse(JSON.stringify(toGraph(task))) as Graph;
  const back = graphToText(graph);
  expect(back, text).toBe(canonical);
  expect(withoutSpans(parseComposedTask(back))).toEqual(withoutSpans(task));
  simulate(task, random);
}

function expectDslError(error: unknown, text: string): void {
  if (!(error instanceof DslError)) throw error;
  expect(error.expression).toBe(text);
  expect(error.position).toBeGreaterThanOrEqual(0);
  expect(error.position).toBeLessThanOrEqual(text.length);
  expect(error.line).toBeGreaterThanOrEqual(1);
  expect(error.column).toBeGreaterThanOrEqual(1);
  expect(error.message.length).toBeGreaterThan(0);
}

/** Drives the planner with random child results: it must only launch known children, once, and finish. */
function simulate(task: ReturnType<typeof parseComposedTask>, random: () => number): void {
  const ids = new Set(allApps(task.flow).map(appId));
  const outcomes: Record<string, ChildOutcome> = {};
  const results: ChildOutcome[] = [
    { state: 'TERMINAL', status: 'COMPLETE', exitCode: 0 },
    { state: 'TERMINAL', status: 'FAILED', exitCode: 1 },
    { state: 'TERMINAL', status: 'COMPLETE', exitCode: 2 },
    { state: 'TERMINAL', status: 'FAILED', exitCode: 1, exitMessage: 'X' },
    { state: 'TERMINAL', status: 'LOST', exitCode: null },
    { state: 'TERMINAL', status: 'STOPPED', exitCode: 130 },
  ];
  const maxConcurrent = 1 + Math.floor(random() * 3);
  for (let step = 0; step < 500; step++) {
    const plan = planComposedTask(task, outcomes, { maxConcurrent });
    if (plan.finished) {
      expect(plan.launch).toEqual([]);
      return;
    }
    for (const id of plan.launch) {
      expect(ids.has(id)).toBe(true);
      expect(outcomes[id]).toBeUndefined();
      outcomes[id] = { state: 'RUNNING' };
    }
    const runningIds = Object.keys(outcomes).filter((id) => outcomes[id]?.state === 'RUNNING');
    expect(runningIds.length).toBeGreaterThan(0);
    expect(runningIds.length).toBeLessThanOrEqual(maxConcurrent);
    const pick = runningIds[Math.floor(random() * runningIds.length)]!;
    // Mostly successes, so that plans get deep.
    outcomes[pick] = random() < 0.7 ? results[0]! : results[Math.floor(random() * results.length)]!;
  }
  throw new Error(`planner did not finish: ${formatComposedTask(task)}`);
}

// Thousands of cases take a few seconds; allow for a busy machine running other suites in parallel.
const FUZZ_TIMEOUT = 60_000;

describe('fuzz', () => {
  it(
    'random token sequences throw only DslError, and what parses round-trips',
    () => {
      const random = prng(20261122);
      for (let i = 0; i < 4000; i++) {
        const n = 1 + Math.floor(random() * 12);
        const parts: string[] = [];
        for (let j = 0; j < n; j++) parts.push(TOKENS[Math.floor(random() * TOKENS.length)]!);
        check(parts.join(random() < 0.7 ? ' ' : ''), random);
      }
    },
    FUZZ_TIMEOUT,
  );

  it(
    'mutations of valid definitions throw only DslError, and what parses round-trips',
    () => {
      const random = prng(42);
      for (let i = 0; i < 4000; i++) {
        let text = ROUND_TRIP_CORPUS[Math.floor(random() * ROUND_TRIP_CORPUS.length)]!;
        const edits = 1 + Math.floor(random() * 3);
        for (let k = 0; k < edits; k++) {
          const at = Math.floor(random() * (text.length + 1));
          const op = random();
          if (op < 0.35)
            text = text.slice(0, at) + CHARS[Math.floor(random() * CHARS.length)] + text.slice(at);
          else if (op < 0.7) text = text.slice(0, at) + text.slice(at + 1);
          else if (op < 0.85) text = text.slice(0, at) + text.slice(at, at + 4) + text.slice(at);
          else text = text.slice(0, at) + text.slice(at).replace(/&&/, '||');
        }
        check(text, random);
      }
    },
    FUZZ_TIMEOUT,
  );

  it(
    'grammar-generated definitions round-trip through the graph and plan to completion',
    () => {
      const random = prng(1234);
      for (let i = 0; i < 3000; i++) check(generate(random), random);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'mutated graphs throw only GraphError, and what converts is a valid definition',
    () => {
      const random = prng(99);
      const names = ['START', 'END', 'SYNC', '$END', '$FAIL', 'a', 'zz', 'bad name'];
      for (let i = 0; i < 3000; i++) {
        const source = ROUND_TRIP_CORPUS[Math.floor(random() * ROUND_TRIP_CORPUS.length)]!;
        const graph = toGraph(parseComposedTask(source));
        const ids = graph.nodes.map((n) => n.id);
        const any = (): string => ids[Math.floor(random() * ids.length)]!;
        for (let k = 1 + Math.floor(random() * 2); k > 0; k--) {
          const op = random();
          if (op < 0.3) graph.links.splice(Math.floor(random() * graph.links.length), 1);
          else if (op < 0.45) graph.links.push({ from: any(), to: any() });
          else if (op < 0.6)
            graph.links.push({ from: any(), to: any(), properties: { transitionName: 'F' } });
          else if (op < 0.75)
            graph.nodes[Math.floor(random() * graph.nodes.length)]!.name =
              names[Math.floor(random() * names.length)]!;
          else if (op < 0.9) graph.nodes.push({ id: String(graph.nodes.length), name: 'extra' });
          else graph.links.reverse();
        }
        try {
          const text = graphToText(graph);
          expect(validateComposedTask(parseComposedTask(text))).toEqual([]);
        } catch (error) {
          if (!(error instanceof GraphError)) throw error;
          expect(error.code.length).toBeGreaterThan(0);
        }
      }
    },
    FUZZ_TIMEOUT,
  );

  it(
    'valid corpus entries also plan to completion under many random runs',
    () => {
      const random = prng(7);
      for (const text of ROUND_TRIP_CORPUS)
        for (let i = 0; i < 30; i++) simulate(parseComposedTask(text), random);
    },
    FUZZ_TIMEOUT,
  );

  it('covered enough ground', () => {
    // Guards against a generator change that silently stops exercising the deeper paths.
    expect(stats.cases, JSON.stringify(stats)).toBe(11000);
    expect(stats.parsed, JSON.stringify(stats)).toBeGreaterThan(3000);
    expect(stats.valid, JSON.stringify(stats)).toBeGreaterThan(2000);
  });
});
