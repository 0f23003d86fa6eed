import { describe, expect, it } from 'vitest';
import { DslError, formatDslError } from './errors.js';
import { formatTaskApp, parseTaskDefinition } from './task-definition.js';

function errorOf(text: string): DslError {
  try {
    parseTaskDefinition(text);
  } catch (error) {
    if (error instanceof DslError) return error;
    throw error;
  }
  throw new Error(`expected '${text}' to fail`);
}

describe('parseTaskDefinition', () => {
  it('parses an app alone', () => {
    expect(parseTaskDefinition('etl')).toEqual({ app: 'etl', properties: {}, span: { start: 0, end: 3 } });
  });

  it('parses unquoted, double-quoted and single-quoted values', () => {
    const node = parseTaskDefinition(`app --key=value --other="quoted value" --x='single'`);
    expect(node.properties).toEqual({ key: 'value', other: 'quoted value', x: 'single' });
  });

  it('accepts SCDF app names and dotted/dashed property names', () => {
    const node = parseTaskDefinition(
      'my-app_2.x --spring.datasource.url=jdbc:postgresql://db:5432/x?a=1 --max-items=5',
    );
    expect(node.app).toBe('my-app_2.x');
    expect(node.properties).toEqual({
      'spring.datasource.url': 'jdbc:postgresql://db:5432/x?a=1',
      'max-items': '5',
    });
  });

  it('lets unquoted values hold characters that are operators in composed tasks', () => {
    expect(parseTaskDefinition('a --url=http://h/x?a=1&b=2 --cmp=a<b|c;(d)').properties).toEqual({
      url: 'http://h/x?a=1&b=2',
      cmp: 'a<b|c;(d)',
    });
    expect(formatTaskApp(parseTaskDefinition('a --url=http://h/x?a=1&b=2'))).toBe(
      'a --url="http://h/x?a=1&b=2"',
    );
  });

  it('parses a label', () => {
    expect(parseTaskDefinition('lbl: app --a=1')).toMatchObject({ app: 'app', label: 'lbl' });
    expect(parseTaskDefinition('lbl:app')).toMatchObject({ app: 'app', label: 'lbl' });
  });

  it('reads doubled quotes as one quote and keeps other characters', () => {
    expect(parseTaskDefinition(`a --q='it''s' --d="say ""hi""" --e="x && y"`).properties).toEqual({
      q: "it's",
      d: 'say "hi"',
      e: 'x && y',
    });
  });

  it('allows whitespace and newlines around the definition and between properties', () => {
    const node = parseTaskDefinition('  \n app\n  --a=1\t--b=2  \n');
    expect(node).toMatchObject({ app: 'app', properties: { a: '1', b: '2' }, span: { start: 4, end: 21 } });
  });

  it('keeps a property named __proto__ as data', () => {
    const node = parseTaskDefinition('a --__proto__=x');
    expect(Object.getOwnPropertyNames(node.properties)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(node.properties)).toBe(Object.prototype);
  });
});

describe('parseTaskDefinition errors', () => {
  const cases: [text: string, code: string, message: string, line: number, column: number][] = [
    ['', 'EMPTY', 'The task definition is empty', 1, 1],
    ['   ', 'EMPTY', 'The task definition is empty', 1, 1],
    ['a --x=1 --x=2', 'DUPLICATE_PROPERTY', "Property 'x' is set more than once", 1, 9],
    ['a key=value', 'MISSING_DASHES', "Expected '--' before property 'key' (write --key=…)", 1, 3],
    ['a -key=value', 'MISSING_DASHES', "Expected '--' before property 'key' (write --key=…)", 1, 3],
    ['a --x="open', 'UNTERMINATED_QUOTE', 'The string starting here is missing its closing "', 1, 7],
    ["a\n --x='open", 'UNTERMINATED_QUOTE', "The string starting here is missing its closing '", 2, 6],
    ['a --x=1 garbage', 'TRAILING_INPUT', "Unexpected 'garbage' after the app and its properties", 1, 9],
    [
      'a && b',
      'COMPOSED_SYNTAX',
      "Unexpected '&&': a task definition names one app; '&&', '||', '<…>' and '->' belong to composed tasks",
      1,
      3,
    ],
    [
      'a --x',
      'EXPECTED_EQUALS',
      "Expected '=' right after property 'x' but found the end of the definition",
      1,
      6,
    ],
    ['a --x =1', 'EXPECTED_EQUALS', "Expected '=' right after property 'x' but found a space", 1, 6],
    ['a -- x=1', 'UNEXPECTED_SPACE', "No space is allowed after '--'", 1, 5],
    ['a --=1', 'EXPECTED_PROPERTY_NAME', "Expected a property name after '--' but found '='", 1, 5],
    [
      'a --x=',
      'EXPECTED_VALUE',
      `Expected a value for property 'x' but found nothing (write --x="" for an empty value)`,
      1,
      7,
    ],
    ['a--x=1', 'MISSING_SPACE', "Put a space before '--'", 1, 2],
    [
      '1abc',
      'INVALID_NAME',
      "'1abc' is not a valid name: use a letter first, then letters, digits, '_', '.' or '-'",
      1,
      1,
    ],
    ['--x=1', 'EXPECTED_NAME', "Expected an app name but found '--'", 1, 1],
    [
      'lbl:',
      'EXPECTED_NAME',
      "Expected an app name after the label 'lbl:' but the definition ends here",
      1,
      5,
    ],
  ];
  it.each(cases)('%j → %s', (text, code, message, line, column) => {
    const error = errorOf(text);
    expect(error).toBeInstanceOf(Error);
    expect({ code: error.code, message: error.message, line: error.line, column: error.column }).toEqual({
      code,
      message,
      line,
      column,
    });
    expect(error.expression).toBe(text);
    expect(error.position).toBeGreaterThanOrEqual(0);
  });

  it('renders an error with a caret under the column', () => {
    expect(formatDslError(errorOf('a --x=1 --x=2'))).toBe(
      "a --x=1 --x=2\n        ^ Property 'x' is set more than once (line 1, column 9)",
    );
  });
});

describe('formatTaskApp', () => {
  const corpus = [
    'etl',
    'lbl: etl --chunkSize=500',
    'a --x="quoted value" --y=plain',
    `a --q="it's" --d='say "hi"' --e="both ' and """`,
    'a --empty=""',
    'a --expr="a<b" --amp="x&y" --semi="a;b" --par="(x)"',
  ];
  it.each(corpus)('round-trips %j', (text) => {
    const node = parseTaskDefinition(text);
    expect(formatTaskApp(node)).toBe(text);
    const again = parseTaskDefinition(formatTaskApp(node));
    expect({ ...again, span: undefined }).toEqual({ ...node, span: undefined });
  });
});

describe('DslError', () => {
  it('serialises with its message', () => {
    expect(JSON.parse(JSON.stringify(errorOf('a --x=1 --x=2')))).toEqual({
      code: 'DUPLICATE_PROPERTY',
      message: "Property 'x' is set more than once",
      position: 8,
      line: 1,
      column: 9,
      expression: 'a --x=1 --x=2',
    });
  });

  it('is what a non-string input raises too', () => {
    expect(() => parseTaskDefinition(undefined as unknown as string)).toThrow(DslError);
    expect(() => parseTaskDefinition(42 as unknown as string)).toThrow(
      'A definition must be a string, not number',
    );
  });
});
