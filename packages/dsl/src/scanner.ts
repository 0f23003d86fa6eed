import { DslError, describeAt } from './errors.js';

/** App names and labels, as SCDF allows them. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** Property names: dotted and dashed Spring-style keys. */
const PROPERTY_NAME_CHAR = /[A-Za-z0-9_.-]/;
const PROPERTY_NAME_START = /[A-Za-z_]/;
const WORD_CHAR = /[A-Za-z0-9_.$-]/;
const WORD_START = /[A-Za-z0-9_$]/;
/**
 * Characters that end an unquoted property value. They are the DSL's own operators, so a value
 * containing one must be quoted; the formatter does that automatically.
 */
const VALUE_STOP = /[\s'"<>()|&;]/;

/**
 * A cursor over the definition text. The DSL is context-sensitive (an unquoted value may contain
 * ':' or '=' that elsewhere are tokens), so the parsers read characters through this scanner
 * instead of a separate token stream.
 */
export class Scanner {
  pos = 0;

  constructor(readonly text: string) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** Skips whitespace (newlines included); returns true when there was some. */
  skipWhitespace(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && /\s/.test(this.text.charAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  fail(code: string, message: string, position = this.pos): never {
    throw new DslError(code, message, this.text, position);
  }

  /** What is at the cursor, for messages: "'&&'" or "the end of the definition". */
  here(position = this.pos): string {
    return describeAt(this.text, position);
  }

  /**
   * Reads a name-like word. It stops before '--' and '->' so that `a--x` and `a->b` are read as
   * an app followed by an operator, which lets the parser give a precise message.
   */
  readWord(): string {
    const start = this.pos;
    if (!WORD_START.test(this.peek())) return '';
    this.pos++;
    while (WORD_CHAR.test(this.peek()) && !this.startsWith('--') && !this.startsWith('->')) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Reads '…' or "…"; a doubled quote inside stands for one quote character. */
  readQuoted(): string {
    const quote = this.peek();
    const start = this.pos;
    this.pos++;
    let value = '';
    for (;;) {
      if (this.atEnd) {
        this.fail('UNTERMINATED_QUOTE', `The string starting here is missing its closing ${quote}`, start);
      }
      const c = this.peek();
      if (c === quote) {
        if (this.peek(1) === quote) {
          value += quote;
          this.pos += 2;
          continue;
        }
        this.pos++;
        return value;
      }
      value += c;
      this.pos++;
    }
  }

  /**
   * Reads `--name=value` arguments after an app name into `into`; returns when none follows.
   * `lenient` lets unquoted values hold the composed DSL's operator characters (a simple task
   * definition has no operators, and URLs like `?a=1&b=2` are common there).
   */
  readProperties(into: Map<string, string>, lenient = false): void {
    const stop = lenient ? /[\s]/ : VALUE_STOP;
    for (;;) {
      const before = this.pos;
      const spaced = this.skipWhitespace();
      if (!this.startsWith('--')) {
        this.pos = before;
        return;
      }
      const dashes = this.pos;
      if (!spaced) this.fail('MISSING_SPACE', "Put a space before '--'", dashes);
      this.pos += 2;
      if (/\s/.test(this.peek())) this.fail('UNEXPECTED_SPACE', "No space is allowed after '--'");
      if (!PROPERTY_NAME_START.test(this.peek())) {
        this.fail('EXPECTED_PROPERTY_NAME', `Expected a property name after '--' but found ${this.here()}`);
      }
      const nameStart = this.pos;
      while (PROPERTY_NAME_CHAR.test(this.peek())) this.pos++;
      const name = this.text.slice(nameStart, this.pos);
      if (this.peek() !== '=') {
        const what = /\s/.test(this.peek()) ? 'a space' : this.here();
        this.fail('EXPECTED_EQUALS', `Expected '=' right after property '${name}' but found ${what}`);
      }
      this.pos++;
      let value: string;
      if (this.peek() === '"' || this.peek() === "'") {
        value = this.readQuoted();
      } else {
        const valueStart = this.pos;
        while (!this.atEnd && !stop.test(this.peek())) this.pos++;
        value = this.text.slice(valueStart, this.pos);
        if (value === '') {
          const found = /\s/.test(this.peek()) || this.atEnd ? 'nothing' : this.here();
          this.fail(
            'EXPECTED_VALUE',
            `Expected a value for property '${name}' but found ${found} (write --${name}="" for an empty value)`,
          );
        }
      }
      if (into.has(name)) this.fail('DUPLICATE_PROPERTY', `Property '${name}' is set more than once`, dashes);
      into.set(name, value);
    }
  }
}

/** Formats a property value so that the scanner reads it back unchanged. */
export function formatValue(value: string): string {
  if (value !== '' && !VALUE_STOP.test(value)) return value;
  if (value.includes('"') && !value.includes("'")) return `'${value}'`;
  return `"${value.replaceAll('"', '""')}"`;
}

export function formatProperties(properties: Readonly<Record<string, string>>): string {
  return Object.entries(properties)
    .map(([k, v]) => ` --${k}=${formatValue(v)}`)
    .join('');
}
