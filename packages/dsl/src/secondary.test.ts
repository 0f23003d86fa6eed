import { describe, expect, it } from 'vitest';
import { allApps, withoutSpans } from './ast.js';
import { parseComposedTask } from './composed-parser.js';
import { DslError } from './errors.js';
import { formatComposedTask } from './format.js';
import { toGraph } from './graph.js';
import { type ChildOutcome, planComposedTask } from './planner.js';
import { assertValid, validateComposedTask } from './validator.js';

// SCDF's secondary sequences: `appA 0->:label1 && appB` + newline + `label1: appC` (or after ';').

const ok: ChildOutcome = { state: 'TERMINAL', status: 'COMPLETE', exitCode: 0 };
const exit = (code: number): ChildOutcome => ({ state: 'TERMINAL', status: 'COMPLETE', exitCode: code });
const failed: ChildOutcome = { state: 'TERMINAL', status: 'FAILED', exitCode: 1 };

const codes = (text: string) => validateComposedTask(parseComposedTask(text)).map((e) => e.code);
function syntaxError(text: string): DslError {
  try {
    parseComposedTask(text);
  } catch (e) {
    if (e instanceof DslError) return e;
  }
  throw new Error('expected a DslError');
}

describe('secondary sequences: parsing', () => {
  it('a new line starting with a label begins a secondary sequence', () => {
    const task = parseComposedTask("appA 'FAILED'->:label1 && appB\nlabel1: appC && appD");
    expect(formatComposedTask(task)).toBe("appA 'FAILED' -> :label1 && appB\nlabel1: appC && appD");
    expect(task.secondary).toHaveLength(1);
    expect(allApps(task).map((a) => a.label ?? a.name)).toEqual(['appA', 'appB', 'label1', 'appD']);
  });

  it("';' separates sequences too, and the canonical text is stable", () => {
    const a = parseComposedTask('a 1->:x && b; x: c ; y: d');
    const b = parseComposedTask(formatComposedTask(a));
    expect(a.secondary).toHaveLength(2);
    expect(withoutSpans(b)).toEqual(withoutSpans(a));
  });

  it('a newline is still whitespace inside a flow', () => {
    expect(parseComposedTask('a &&\n b\n && c').secondary).toEqual([]);
    expect(parseComposedTask("a\n  'X' -> b").secondary).toEqual([]);
  });

  it('a line that does not start with a label is still a missing operator; after ";" it must be labelled', () => {
    expect(syntaxError('a\n  b').code).toBe('MISSING_OPERATOR');
    expect(syntaxError('a; b')).toMatchObject({ code: 'SECONDARY_NEEDS_LABEL', line: 1, column: 4 });
  });
});

describe('secondary sequences: validation', () => {
  it('a sequence nothing jumps to is refused, as is a jump back to an earlier sequence', () => {
    expect(codes('a\nx: b')).toEqual(['UNREACHABLE_SEQUENCE']);
    expect(codes("a 1->:x\nx: b 'X'->:y\ny: c")).toEqual([]);
    expect(codes('a 1->:y\nx: b\ny: c 2->:x')).toEqual(['TRANSITION_LOOP']);
    expect(codes('a 1->:x\nx: b 2->:x')).toEqual(['TRANSITION_LOOP']);
  });

  it('labels stay unique across sequences, and apps of a sequence are not reachable from outside it', () => {
    expect(codes('a 1->:x\nx: b && a')).toEqual(['DUPLICATE_APP']);
    expect(codes('a 1->:z\nx: b && z: c')).toContain('LABEL_OUT_OF_SCOPE');
  });

  it('a split branch may jump to a secondary sequence', () => {
    expect(codes("<a 'X'->:x || b> && c\nx: d")).toEqual([]);
  });
});

describe('secondary sequences: planning', () => {
  const task = assertValid(parseComposedTask('appA 3->:label1 && appB\nlabel1: appC && appD'));

  it('without the jump the main flow runs and the secondary never does', () => {
    expect(planComposedTask(task, {}).launch).toEqual(['appA']);
    expect(planComposedTask(task, { appA: ok }).launch).toEqual(['appB']);
    expect(planComposedTask(task, { appA: ok, appB: ok }).finished?.status).toBe('COMPLETE');
  });

  it('the jump runs the secondary sequence to its end, and the task ends with it', () => {
    expect(planComposedTask(task, { appA: exit(3) }).launch).toEqual(['label1']);
    expect(planComposedTask(task, { appA: exit(3), label1: ok }).launch).toEqual(['appD']);
    expect(planComposedTask(task, { appA: exit(3), label1: ok, appD: ok }).finished).toEqual({
      status: 'COMPLETE',
      reason: "All steps completed, the last being 'appD'",
    });
    expect(planComposedTask(task, { appA: exit(3), label1: failed }).finished?.status).toBe('FAILED');
  });
});

describe('secondary sequences: graph', () => {
  it('the sequence is entered only through the transition link and ends at END', () => {
    const graph = toGraph(parseComposedTask('a 1->:x && b\nx: c'));
    const id = (label: string) => graph.nodes.find((n) => (n.label ?? n.name) === label)!.id;
    const links = graph.links.map(
      (l) => `${l.from}->${l.to}${l.properties ? ` ${l.properties.transitionName}` : ''}`,
    );
    const end = graph.nodes.find((n) => n.name === 'END')!.id;
    expect(links).toContain(`${id('a')}->${id('x')} 1`);
    expect(links).toContain(`${id('x')}->${end}`);
    expect(graph.links.filter((l) => l.to === id('x'))).toHaveLength(1);
  });
});
