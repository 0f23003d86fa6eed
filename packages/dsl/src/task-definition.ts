import { DslError, requireText } from './errors.js';
import { formatProperties, NAME_PATTERN, Scanner } from './scanner.js';

export interface Span {
  /** 0-based offset of the first character. */
  readonly start: number;
  /** 0-based offset just past the last character. */
  readonly end: number;
}

/** A simple task definition: one app with its properties, e.g. `etl --chunkSize=500`. */
export interface TaskAppNode {
  readonly app: string;
  readonly label?: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly span: Span;
}

/** Reads `[label ':'] name`, leaving the cursor after the name. Shared with the composed parser. */
export function readLabelAndName(sc: Scanner): { label?: string; name: string; start: number } {
  sc.skipWhitespace();
  const start = sc.pos;
  const first = readName(sc, 'an app name');
  const afterFirst = sc.pos;
  sc.skipWhitespace();
  if (sc.peek() === ':') {
    sc.pos++;
    sc.skipWhitespace();
    const name = readName(sc, `an app name after the label '${first}:'`);
    return { label: first, name, start };
  }
  sc.pos = afterFirst;
  return { name: first, start };
}

/** Reads an app name or a label, failing with a message naming what was expected. */
export function readName(sc: Scanner, expected: string): string {
  const start = sc.pos;
  if (sc.atEnd) sc.fail('EXPECTED_NAME', `Expected ${expected} but the definition ends here`);
  const word = sc.readWord();
  if (word === '') sc.fail('EXPECTED_NAME', `Expected ${expected} but found ${sc.here()}`);
  if (!NAME_PATTERN.test(word)) {
    sc.fail(
      'INVALID_NAME',
      `'${word}' is not a valid name: use a letter first, then letters, digits, '_', '.' or '-'`,
      start,
    );
  }
  return word;
}

/**
 * Parses SCDF's simple task definition: `[label:] app [--key=value]...`.
 * Throws DslError (and nothing else) with the position of the first problem.
 */
export function parseTaskDefinition(text: string): TaskAppNode {
  try {
    return parseSimple(requireText(text));
  } catch (error) {
    if (error instanceof DslError) throw error;
    // A bug must still surface as a DslError: callers rely on the one error type.
    throw new DslError('INTERNAL', `Unexpected parser failure: ${String(error)}`, String(text), 0);
  }
}

function parseSimple(text: string): TaskAppNode {
  const sc = new Scanner(text);
  sc.skipWhitespace();
  if (sc.atEnd) sc.fail('EMPTY', 'The task definition is empty', 0);
  const { label, name, start } = readLabelAndName(sc);
  const properties = new Map<string, string>();
  sc.readProperties(properties, true);
  const end = sc.pos;
  sc.skipWhitespace();
  if (!sc.atEnd) failTrailing(sc);
  const node: TaskAppNode = { app: name, properties: Object.fromEntries(properties), span: { start, end } };
  return label === undefined ? node : { ...node, label };
}

function failTrailing(sc: Scanner): never {
  const here = sc.pos;
  if (sc.startsWith('&&') || sc.startsWith('||') || sc.startsWith('<') || sc.startsWith('->')) {
    sc.fail(
      'COMPOSED_SYNTAX',
      `Unexpected ${sc.here()}: a task definition names one app; '&&', '||', '<…>' and '->' belong to composed tasks`,
    );
  }
  if (sc.peek() === '-' || /^[A-Za-z_][A-Za-z0-9_.-]*=/.test(sc.text.slice(here))) {
    const name = /^-?([A-Za-z_][A-Za-z0-9_.-]*)/.exec(sc.text.slice(here))?.[1] ?? '';
    sc.fail('MISSING_DASHES', `Expected '--' before property '${name}' (write --${name}=…)`);
  }
  sc.fail('TRAILING_INPUT', `Unexpected ${sc.here()} after the app and its properties`);
}

/** Formats a simple task definition canonically: `label: app --k=v`. */
export function formatTaskApp(node: Pick<TaskAppNode, 'app' | 'label' | 'properties'>): string {
  const label = node.label === undefined ? '' : `${node.label}: `;
  return `${label}${node.app}${formatProperties(node.properties)}`;
}
