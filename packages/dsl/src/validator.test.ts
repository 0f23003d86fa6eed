import { describe, expect, it } from 'vitest';
import { parseComposedTask } from './composed-parser.js';
import { DslError } from './errors.js';
import { assertValid, validateComposedTask } from './validator.js';

const problems = (text: string): [string, string, number, number][] =>
  validateComposedTask(parseComposedTask(text)).map((e) => [e.code, e.message, e.line, e.column]);

describe('validateComposedTask', () => {
  it.each([
    'a',
    'a && b && c',
    "a 'FAILED' -> b && c",
    "x: a 'FAILED' -> :z && b && z: c",
    "a 'F' -> t: err && b 'G' -> :t",
    "a 'F' -> t: err && b 'G' -> :t 'H' -> $END 3 -> $FAIL",
    '<a || b> && <c && d || e>',
    "a '*' -> b",
    "a1: a && a2: a && <a3: a || b 'X' -> a4: a>",
  ])('accepts %j', (text) => {
    expect(problems(text)).toEqual([]);
  });

  const cases: [string, [string, string, number, number][]][] = [
    [
      'a && b && a',
      [['DUPLICATE_APP', "App 'a' is used more than once: give each use its own label, e.g. 'a2: a'", 1, 11]],
    ],
    [
      "a 'X' -> b && b",
      [['DUPLICATE_APP', "App 'b' is used more than once: give each use its own label, e.g. 'b2: b'", 1, 15]],
    ],
    ['x: a && x: b', [['DUPLICATE_LABEL', "Label 'x' is used more than once", 1, 9]]],
    ['b && b: a', [['LABEL_CLASH', "Label 'b' is also the name of an unlabelled app", 1, 6]]],
    ['b: a && b', [['LABEL_CLASH', "App 'b' has the same name as a label; label this use of it", 1, 9]]],
    ['<a>', [['SPLIT_ONE_BRANCH', 'A split needs at least two branches separated by ||', 1, 1]]],
    ['<<a || b>>', [['SPLIT_ONE_BRANCH', 'A split needs at least two branches separated by ||', 1, 1]]],
    [
      "a '*' -> b && c",
      [
        [
          'WILDCARD_THEN_SEQUENCE',
          "What follows '&&' can never run: the '*' transition of 'a' handles every exit",
          1,
          15,
        ],
      ],
    ],
    ["a 'X' -> :nope", [['UNDEFINED_LABEL', "Transition to ':nope', but no app has the label 'nope'", 1, 3]]],
    [
      "<a 'X' -> :z || b> && z: c",
      [
        [
          'LABEL_OUT_OF_SCOPE',
          "Transition to ':z' leaves its flow: a label can only be reached from the same sequence",
          1,
          4,
        ],
      ],
    ],
    [
      "x: a && b 'X' -> :x",
      [['TRANSITION_LOOP', "Transition to ':x' goes back to an earlier step and would loop", 1, 11]],
    ],
    [
      "x: a 'X' -> :x",
      [['TRANSITION_LOOP', "Transition to ':x' goes back to an earlier step and would loop", 1, 6]],
    ],
    ["a 'X' -> b 'X' -> c", [['DUPLICATE_TRANSITION', "'a' has two transitions on 'X'", 1, 12]]],
    ['START && b', [['RESERVED_NAME', "'START' is reserved for the graph's control nodes", 1, 1]]],
    [
      'a &&\n  <b || b>',
      [['DUPLICATE_APP', "App 'b' is used more than once: give each use its own label, e.g. 'b2: b'", 2, 9]],
    ],
  ];
  it.each(cases)('reports %j', (text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('reports every problem, ordered by position', () => {
    expect(problems("<a> && a 'X' -> :q").map(([code]) => code)).toEqual([
      'SPLIT_ONE_BRANCH',
      'DUPLICATE_APP',
      'UNDEFINED_LABEL',
    ]);
  });

  it('assertValid throws the first problem as a DslError', () => {
    expect(() => assertValid(parseComposedTask('a && a'))).toThrow(DslError);
    expect(() => assertValid(parseComposedTask('a && a'))).toThrow(/used more than once/);
  });
});
