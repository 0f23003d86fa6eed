import { describe, expect, it } from 'vitest';
import {
  composedTaskApps,
  isComposedTask,
  parseDefinition,
  referencedApps,
  unknownAppError,
} from './apps.js';
import { parseComposedTask } from './composed-parser.js';
import { DslError } from './errors.js';

describe('isComposedTask', () => {
  it.each([
    ['etl', false],
    ['etl --x=1 --y="a && b"', false],
    ['lbl: etl', false],
    ['(etl)', false],
    ['a && b', true],
    ['<a || b>', true],
    ["a 'FAILED' -> b", true],
    ['a 2 -> $END', true],
    // does not parse: judged by its operators outside quotes
    ['a && && b', true],
    ['a --x="&& <"', false],
    ['a --x="unterminated', false],
    ['a b', false],
  ])('%j → %s', (text, expected) => {
    expect(isComposedTask(text)).toBe(expected);
  });
});

describe('composedTaskApps', () => {
  it('lists every node with its child definition name', () => {
    const task = parseComposedTask(
      "extract --n=1 && <c: clean || enrich> && load 'FAILED' -> alert --to=ops",
    );
    expect(composedTaskApps(task, 'nightly')).toEqual([
      { id: 'extract', appName: 'extract', properties: { n: '1' }, definitionName: 'nightly-extract' },
      { id: 'c', appName: 'clean', properties: {}, definitionName: 'nightly-c' },
      { id: 'enrich', appName: 'enrich', properties: {}, definitionName: 'nightly-enrich' },
      { id: 'load', appName: 'load', properties: {}, definitionName: 'nightly-load' },
      { id: 'alert', appName: 'alert', properties: { to: 'ops' }, definitionName: 'nightly-alert' },
    ]);
    expect(composedTaskApps(task)[1]).toEqual({ id: 'c', appName: 'clean', properties: {} });
  });
});

describe('referencedApps', () => {
  it('lists distinct app names where they first appear', () => {
    const task = parseComposedTask("a1: a && \n  aa: a 'X' -> b && c:b");
    expect(referencedApps(task)).toEqual([
      { name: 'a', position: 4, line: 1, column: 5 },
      { name: 'b', position: 25, line: 2, column: 16 },
    ]);
  });

  it('builds an unknown-app error at that place', () => {
    const task = parseComposedTask('a &&\n b');
    const [, b] = referencedApps(task);
    const error = unknownAppError(task, b!);
    expect({ code: error.code, message: error.message, line: error.line, column: error.column }).toEqual({
      code: 'UNKNOWN_APP',
      message: "Unknown app 'b': register it first",
      line: 2,
      column: 2,
    });
  });
});

describe('parseDefinition', () => {
  it('parses a simple definition with the task grammar', () => {
    expect(parseDefinition('etl --url=http://h/?a=1&b=2')).toMatchObject({
      kind: 'simple',
      node: { app: 'etl', properties: { url: 'http://h/?a=1&b=2' } },
    });
  });

  it('parses and validates a composed definition', () => {
    expect(parseDefinition('a && <b || c>')).toMatchObject({ kind: 'composed', task: { kind: 'composed' } });
    expect(() => parseDefinition('a && a')).toThrow(DslError);
  });

  it('reports a broken composed definition with the composed grammar', () => {
    expect(() => parseDefinition('a && && b')).toThrow("Expected an app name, '(' or '<' but found '&&'");
  });
});
