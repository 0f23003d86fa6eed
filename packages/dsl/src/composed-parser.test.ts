import { describe, expect, it } from 'vitest';
import type { ComposedApp, Flow } from './ast.js';
import { withoutSpans } from './ast.js';
import { parseComposedTask } from './composed-parser.js';
import { DslError } from './errors.js';
import { formatComposedTask } from './format.js';

const app = (name: string, extra: Partial<ComposedApp> = {}): unknown => ({
  kind: 'app',
  name,
  properties: {},
  transitions: [],
  ...extra,
});
const flow = (...elements: unknown[]): unknown => ({ kind: 'flow', elements });
const split = (...branches: unknown[]): unknown => ({ kind: 'split', branches });
const parsed = (text: string): unknown => withoutSpans(parseComposedTask(text));

function errorOf(text: string): DslError {
  try {
    parseComposedTask(text);
  } catch (error) {
    if (error instanceof DslError) return error;
    throw error;
  }
  throw new Error(`expected '${text}' to fail`);
}

describe('parseComposedTask constructs', () => {
  it('parses a single app and a sequence', () => {
    expect(parsed('a')).toEqual(flow(app('a')));
    expect(parsed('a && b && c')).toEqual(flow(app('a'), app('b'), app('c')));
  });

  it('parses splits, with sequences inside branches', () => {
    expect(parsed('<a || b || c>')).toEqual(flow(split(flow(app('a')), flow(app('b')), flow(app('c')))));
    expect(parsed('<a && b || c>')).toEqual(flow(split(flow(app('a'), app('b')), flow(app('c')))));
  });

  it('parses nested splits and merges a branch that is only a split', () => {
    expect(parsed('<<a || b> && c || d>')).toEqual(
      flow(split(flow(split(flow(app('a')), flow(app('b'))), app('c')), flow(app('d')))),
    );
    expect(parsed('<<a || b> || c>')).toEqual(parsed('<a || b || c>'));
    // a split with one branch keeps its nesting, for the validator to report
    expect(parsed('<<a || b>>')).toEqual(flow(split(flow(split(flow(app('a')), flow(app('b')))))));
  });

  it('merges parenthesised sequences and drops redundant parentheses', () => {
    expect(parsed('(a && b) && (c)')).toEqual(parsed('a && b && c'));
    expect(parsed('<(a && b) || c>')).toEqual(parsed('<a && b || c>'));
    expect(parsed('((<a || b>))')).toEqual(parsed('<a || b>'));
  });

  it('parses labels and app arguments', () => {
    expect(parsed('x: a --p=1 --q="two words" && y:b')).toEqual(
      flow(app('a', { label: 'x', properties: { p: '1', q: 'two words' } }), app('b', { label: 'y' })),
    );
  });

  it('parses transitions on a status, an exit code and the wildcard', () => {
    const t = (on: unknown, target: unknown): unknown => ({ on, target });
    expect(parsed("a 'FAILED' -> b 2 -> c '*' -> z")).toEqual(
      flow(
        app('a', {
          transitions: [
            t({ kind: 'status', status: 'FAILED' }, { kind: 'app', app: app('b') }),
            t({ kind: 'exitCode', code: 2 }, { kind: 'app', app: app('c') }),
            t({ kind: 'wildcard' }, { kind: 'app', app: app('z') }),
          ] as never,
        }),
      ),
    );
    expect(parsed('a * -> $END "FAIL*" -> $FAIL "X" -> :lbl')).toEqual(
      flow(
        app('a', {
          transitions: [
            t({ kind: 'wildcard' }, { kind: 'end' }),
            t({ kind: 'status', status: 'FAIL*' }, { kind: 'fail' }),
            t({ kind: 'status', status: 'X' }, { kind: 'ref', label: 'lbl' }),
          ] as never,
        }),
      ),
    );
  });

  it('parses a labelled transition target with arguments', () => {
    const f = parseComposedTask("a 'FAILED' -> t: cleanup --force=true && b").flow;
    const first = f.elements[0] as ComposedApp;
    expect(first.transitions[0]?.target).toMatchObject({
      kind: 'app',
      app: { name: 'cleanup', label: 't', properties: { force: 'true' } },
    });
    expect(f.elements).toHaveLength(2);
  });

  it('accepts any whitespace, newlines included, and records spans into the text', () => {
    const text = "\n  extract\n  && <clean\n       || enrich>\n  && load 'FAILED'\n     -> alert\n";
    const task = parseComposedTask(text);
    expect(formatComposedTask(task)).toBe("extract && <clean || enrich> && load 'FAILED' -> alert");
    const load = task.flow.elements[2] as ComposedApp;
    expect(text.slice(load.span.start, load.span.end)).toBe("load 'FAILED'\n     -> alert");
    expect(text.slice(task.flow.span.start, task.flow.span.end)).toBe(text.trim());
  });

  it('reads no-space forms', () => {
    expect(parsed("a&&b&&<c||d>&&e'X'->f")).toEqual(parsed("a && b && <c || d> && e 'X' -> f"));
    expect(parsed("a'X'->b")).toEqual(parsed("a 'X' -> b"));
  });
});

describe('parseComposedTask errors', () => {
  const cases: [string, string, string, number, number][] = [
    ['', 'EMPTY', 'The composed task definition is empty', 1, 1],
    ['a &&', 'EXPECTED_APP', "Expected an app name, '(' or '<' but the definition ends here", 1, 5],
    ['a && && b', 'EXPECTED_APP', "Expected an app name, '(' or '<' but found '&&'", 1, 6],
    [
      '<a || b',
      'UNCLOSED_SPLIT',
      "Expected '||' or '>' to close the split opened at line 1, column 1 but the definition ends here",
      1,
      8,
    ],
    [
      '<a b>',
      'UNCLOSED_SPLIT',
      "Expected '||' or '>' to close the split opened at line 1, column 1 but found 'b'",
      1,
      4,
    ],
    [
      '(a && b',
      'UNCLOSED_PAREN',
      "Expected ')' to close the '(' at line 1, column 1 but found the end of the definition",
      1,
      8,
    ],
    ['a > b', 'UNMATCHED', "This '>' closes no split: there is no '<' before it", 1, 3],
    ['a)', 'UNMATCHED', "This ')' closes nothing: there is no '(' before it", 1, 2],
    ['a || b', 'OR_OUTSIDE_SPLIT', "'||' separates the branches of a split: write <a || b>", 1, 3],
    ['a b', 'MISSING_OPERATOR', "Unexpected 'b': join apps with '&&' or run them in a split <a || b>", 1, 3],
    [
      'a\n  b',
      'MISSING_OPERATOR',
      "Unexpected 'b': join apps with '&&' or run them in a split <a || b>",
      2,
      3,
    ],
    [
      'a -> b',
      'ARROW_WITHOUT_STATUS',
      "'->' must follow an exit status such as 'FAILED', an exit code or '*'",
      1,
      3,
    ],
    ["a 'FAILED' b", 'EXPECTED_ARROW', "Expected '->' after the transition status but found 'b'", 1, 12],
    [
      'a FAILED -> b',
      'UNQUOTED_STATUS',
      "An unquoted transition status must be an exit code (a number); quote an exit status: 'FAILED'",
      1,
      3,
    ],
    ["a '' -> b", 'EMPTY_STATUS', 'The exit status of a transition cannot be empty', 1, 3],
    ['a 99999999999 -> b', 'EXIT_CODE_RANGE', 'Exit code 99999999999 is too large', 1, 3],
    ["a 'X' -> $STOP", 'UNKNOWN_SPECIAL_TARGET', "Unknown target '$STOP': use $END or $FAIL", 1, 10],
    [
      "a 'X' -> <b || c>",
      'TARGET_NOT_APP',
      'A transition leads to one app, $END, $FAIL or :label, not to a split or group',
      1,
      10,
    ],
    ["a 'X' -> :", 'EXPECTED_NAME', "Expected a label after ':' but the definition ends here", 1, 11],
    ["a 'X", 'UNTERMINATED_QUOTE', "The string starting here is missing its closing '", 1, 3],
    ['a --x="y', 'UNTERMINATED_QUOTE', 'The string starting here is missing its closing "', 1, 7],
    ['a --x=1 --x=2 && b', 'DUPLICATE_PROPERTY', "Property 'x' is set more than once", 1, 9],
    ['a -x=1', 'MISSING_DASHES', "Expected '--' before a property (write --name=value)", 1, 3],
    ['lbl: (a && b)', 'LABELLED_PARENS', "A label cannot be put on '(': label the apps inside", 1, 6],
    ['lbl: <a || b>', 'LABELLED_SPLIT', 'A label cannot be put on a split: label the apps inside', 1, 6],
    ['x: y: a', 'DOUBLE_LABEL', 'An app can have only one label', 1, 4],
    [
      '9a',
      'INVALID_NAME',
      "'9a' is not a valid name: use a letter first, then letters, digits, '_', '.' or '-'",
      1,
      1,
    ],
    [`${'('.repeat(70)}a${')'.repeat(70)}`, 'TOO_DEEP', 'Nesting is deeper than 64 levels', 1, 65],
  ];
  it.each(cases)('%j → %s', (text, code, message, line, column) => {
    const e = errorOf(text);
    expect({ code: e.code, message: e.message, line: e.line, column: e.column }).toEqual({
      code,
      message,
      line,
      column,
    });
    expect(e.expression).toBe(text);
  });
});

describe('formatComposedTask', () => {
  it('writes the canonical form', () => {
    const f = (t: string): string => formatComposedTask(parseComposedTask(t));
    expect(f('a&&b')).toBe('a && b');
    expect(f(`a "FAILED"->b * -> c 0->d`)).toBe("a 'FAILED' -> b '*' -> c 0 -> d");
    expect(f(`a "it's" -> b`)).toBe("a 'it''s' -> b");
    expect(f('x:a --v="a b"')).toBe('x: a --v="a b"');
  });

  it('is a fixed point of parse', () => {
    const text = 'x: a --v="a b" \'F\' -> y: b --w=1 2 -> :z && <c && d || e> && z: f';
    const first = parseComposedTask(text);
    const again = parseComposedTask(formatComposedTask(first));
    expect(withoutSpans(again)).toEqual(withoutSpans(first));
    expect(formatComposedTask(again)).toBe(formatComposedTask(first));
    expect((first.flow as Flow).elements).toHaveLength(3);
  });
});
