// Parsers for the flat-string formats of SCDF-style deployer properties. Each throws an Error whose
// message says what is wrong with the text; the caller adds which key it came from.

/** Splits on `separator` outside single or double quotes. Backslash escapes inside double quotes. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      current += ch;
      if (ch === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  parts.push(current);
  return parts;
}

/** Removes one level of matching quotes; `"a\"b"` → `a"b`. */
function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1);
  return t;
}

/** `a, b ,c` → ['a', 'b', 'c']; empty entries are dropped. */
export function parseList(text: string): string[] {
  return splitOutsideQuotes(text, ',')
    .map(unquote)
    .filter((item) => item.length > 0);
}

/**
 * `k:v,k2:v2` (SCDF's form for labels, annotations and node selectors) → a map. The first `:`
 * separates key and value, so values may contain colons (`url:http://x`), and quoted values may
 * contain commas. Keys must not repeat.
 */
export function parseKeyValueList(text: string, separator = ':'): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of splitOutsideQuotes(text, ',')) {
    if (entry.trim().length === 0) continue;
    const at = entry.indexOf(separator);
    if (at <= 0) throw new Error(`entry '${entry.trim()}' must have the form key${separator}value`);
    const key = entry.slice(0, at).trim();
    if (key === '__proto__') throw new Error("key '__proto__' is not allowed");
    if (Object.hasOwn(result, key)) throw new Error(`key '${key}' is given twice`);
    result[key] = unquote(entry.slice(at + 1));
  }
  return result;
}

/** `A=1,B="x,y",C='z'` → {A: '1', B: 'x,y', C: 'z'}. */
export function parseEnvironmentList(text: string): Record<string, string> {
  return parseKeyValueList(text, '=');
}

/**
 * JSON, or the relaxed flow form SCDF documents for tolerations and volumes:
 * `[{key: 'gpu', operator: 'Exists', effect: NoSchedule}]` — unquoted keys, single-quoted or bare
 * scalar values. Bare `true`, `false`, `null` and numbers keep their JSON meaning.
 */
export function parseJsonLike(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (jsonError) {
    try {
      return new FlowParser(text).parseDocument();
    } catch (flowError) {
      const why = flowError instanceof Error ? flowError.message : String(flowError);
      const jsonWhy = jsonError instanceof Error ? jsonError.message : String(jsonError);
      throw new Error(`value is neither JSON (${jsonWhy}) nor the {key: value} flow form (${why})`);
    }
  }
}

class FlowParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('unexpected text after the value');
    return value;
  }

  private fail(message: string): never {
    throw new Error(`${message} at position ${this.pos}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.text[this.pos];
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  private parseValue(): unknown {
    const ch = this.peek();
    if (ch === '{') return this.parseObject();
    if (ch === '[') return this.parseArray();
    if (ch === '"' || ch === "'") return this.parseQuoted();
    return this.parseBare();
  }

  private parseObject(): Record<string, unknown> {
    this.expect('{');
    const result: Record<string, unknown> = {};
    if (this.peek() === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      const keyStart = this.peek();
      const key = keyStart === '"' || keyStart === "'" ? this.parseQuoted() : this.parseBareText(':');
      if (key.length === 0) this.fail('expected a key');
      if (key === '__proto__') this.fail("key '__proto__' is not allowed");
      this.expect(':');
      result[key] = this.parseValue();
      const next = this.peek();
      this.pos++;
      if (next === '}') return result;
      if (next !== ',') this.fail("expected ',' or '}'");
    }
  }

  private parseArray(): unknown[] {
    this.expect('[');
    const result: unknown[] = [];
    if (this.peek() === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.parseValue());
      const next = this.peek();
      this.pos++;
      if (next === ']') return result;
      if (next !== ',') this.fail("expected ',' or ']'");
    }
  }

  private parseQuoted(): string {
    const quote = this.text[this.pos++]!;
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos++]!;
      if (ch === quote) return out;
      if (ch === '\\' && quote === '"') out += this.text[this.pos++] ?? '';
      else out += ch;
    }
    return this.fail(`unterminated ${quote} quote`);
  }

  private parseBareText(stopAlso: string): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length && !`,]}${stopAlso}`.includes(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos).trim();
  }

  private parseBare(): unknown {
    const word = this.parseBareText('');
    if (word.length === 0) this.fail('expected a value');
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (/^-?[0-9]+(\.[0-9]+)?$/.test(word)) return Number(word);
    return word;
  }
}
