/**
 * Errors of the DSL package. Every error names the place in the text where the problem is, so the
 * server can return it as-is and an editor can underline it.
 */

export interface SourceLocation {
  /** 0-based offset into the expression. */
  readonly position: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column (UTF-16 code units, like editors count). */
  readonly column: number;
}

/** Converts an offset into a 1-based line and column. */
export function locate(text: string, position: number): SourceLocation {
  const clamped = Math.max(0, Math.min(position, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { position: clamped, line, column: clamped - lineStart + 1 };
}

export class DslError extends Error implements SourceLocation {
  override readonly name = 'DslError';
  readonly position: number;
  readonly line: number;
  readonly column: number;

  constructor(
    readonly code: string,
    message: string,
    readonly expression: string,
    position: number,
  ) {
    super(message);
    const where = locate(expression, position);
    this.position = where.position;
    this.line = where.line;
    this.column = where.column;
  }

  /** Errors do not serialise their message by default; API responses need it. */
  toJSON(): {
    code: string;
    message: string;
    position: number;
    line: number;
    column: number;
    expression: string;
  } {
    const { code, message, position, line, column, expression } = this;
    return { code, message, position, line, column, expression };
  }
}

/** Callers in JavaScript (or with `unknown` request bodies) may pass anything: fail as a DslError. */
export function requireText(text: unknown): string {
  if (typeof text === 'string') return text;
  throw new DslError(
    'NOT_TEXT',
    `A definition must be a string, not ${text === null ? 'null' : typeof text}`,
    '',
    0,
  );
}

/** Raised by graphToText: the graph (usually drawn in a UI) cannot be turned into DSL text. */
export class GraphError extends Error {
  override readonly name = 'GraphError';

  constructor(
    readonly code: string,
    message: string,
    /** The offending node id, when one node is to blame. */
    readonly nodeId?: string,
    /** The offending link, as its index in `graph.links`, when one link is to blame. */
    readonly linkIndex?: number,
  ) {
    super(message);
  }
}

/**
 * Renders an error with the offending line and a caret under the column, for CLIs and logs:
 *
 *   a && && b
 *        ^ Expected an app name but found '&&' (line 1, column 6)
 */
export function formatDslError(error: DslError): string {
  const lines = error.expression.split('\n');
  const text = (lines[error.line - 1] ?? '').replace(/\r$/, '');
  const caret = `${' '.repeat(error.column - 1)}^`;
  return `${text}\n${caret} ${error.message} (line ${error.line}, column ${error.column})`;
}

/** Describes what sits at a position, for messages like "found '&&'". */
export function describeAt(text: string, position: number): string {
  if (position >= text.length) return 'the end of the definition';
  const rest = text.slice(position);
  const word = /^(&&|\|\||->|--|[A-Za-z0-9_$][A-Za-z0-9_.$-]*|\S)/.exec(rest);
  const found = word ? word[0] : rest.charAt(0);
  return `'${found.length > 20 ? `${found.slice(0, 20)}…` : found}'`;
}
