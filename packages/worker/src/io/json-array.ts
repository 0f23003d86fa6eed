import { createReadStream } from 'node:fs';
import type { ItemReader, ItemStream, ItemWriter } from '../model/api.js';
import type { ExecutionContext } from '../model/context.js';
import { ChunkFile, FlatFileParseError } from './files.js';

const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NL = 0x0a;
const isSpace = (b: number) => b === 0x20 || b === NL || b === 0x0d || b === 0x09;

interface Element {
  text: string;
  /** Byte offset just after the element. */
  end: number;
  /** Line (1-based) the element starts on, and the line the scan is on at `end`. */
  line: number;
  lineAtEnd: number;
}

const NONE = 0;
const CONTAINER = 1; // an object or array element
const STRING = 2;
const SCALAR = 3; // number, true, false, null

/**
 * The elements of a top-level JSON array, streamed: the file is scanned once for element boundaries
 * (strings, escapes and nesting tracked), so memory holds one element at a time, not the file.
 * `start` > 0 resumes just after an element returned earlier.
 */
async function* arrayElements(path: string, start: number, startLine: number): AsyncGenerator<Element> {
  let offset = start; // absolute offset of buf[0]
  let line = startLine;
  let inArray = start > 0;
  let kind = NONE;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elementStart = 0;
  let elementLine = line;
  let buf: Buffer = Buffer.alloc(0);
  let scanned = 0;
  const emit = (endIndex: number, lineAtEnd: number): Element => {
    kind = NONE;
    return {
      text: buf.toString('utf8', elementStart, endIndex),
      end: offset + endIndex,
      line: elementLine,
      lineAtEnd,
    };
  };
  for await (const chunk of createReadStream(path, { start })) {
    buf = kind !== NONE ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
    for (let i = scanned; i < buf.length; i++) {
      const b = buf[i] as number;
      if (b === NL) line++;
      if (kind === NONE) {
        if (isSpace(b) || (inArray && b === COMMA)) continue;
        if (!inArray) {
          if (b !== OPEN) throw new FlatFileParseError('not a JSON array', line, String.fromCharCode(b));
          inArray = true;
          continue;
        }
        if (b === CLOSE) return;
        elementStart = i;
        elementLine = line;
        if (b === OPEN || b === LBRACE) {
          kind = CONTAINER;
          depth = 1;
        } else if (b === QUOTE) {
          kind = STRING;
          inString = true;
        } else kind = SCALAR;
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) {
          inString = false;
          if (kind === STRING) yield emit(i + 1, line);
        }
        continue;
      }
      if (kind === CONTAINER) {
        if (b === QUOTE) inString = true;
        else if (b === OPEN || b === LBRACE) depth++;
        else if ((b === CLOSE || b === RBRACE) && --depth === 0) yield emit(i + 1, line);
      } else if (b === COMMA || b === CLOSE || isSpace(b)) {
        // a scalar ends before its terminator, which is scanned again on restart
        yield emit(i, b === NL ? line - 1 : line);
        if (b === CLOSE) return;
      }
    }
    // Keep only the unfinished element (if any) for the next chunk.
    if (kind !== NONE) {
      offset += elementStart;
      buf = buf.subarray(elementStart);
      scanned = buf.length;
      elementStart = 0;
    } else {
      offset += buf.length;
      buf = Buffer.alloc(0);
      scanned = 0;
    }
  }
  throw new FlatFileParseError(inArray ? 'unterminated JSON array' : 'not a JSON array', line, '');
}

export interface JsonArrayReaderOptions<T> {
  path: string;
  name?: string;
  /** Validates/converts each parsed element (throw → FlatFileParseError, skippable). */
  map?: (value: unknown, index: number) => T;
}

/**
 * Reads the elements of a file holding one JSON array (Spring Batch's `JsonItemReader`), streamed.
 * Restartable by byte offset: `<name>.position`, `.line` and `.count` are saved at each commit and a
 * restart continues after the last committed element. A malformed element is a FlatFileParseError
 * (skippable) carrying its line.
 *
 * @example jsonArrayReader<Order>({ path: 'orders.json' })
 */
export class JsonArrayReader<T> implements ItemReader<T>, ItemStream {
  private elements: AsyncGenerator<Element> | undefined;
  private position = 0;
  private line = 1;
  private count = 0;
  private readonly name: string;

  constructor(private readonly options: JsonArrayReaderOptions<T>) {
    this.name = options.name ?? 'jsonArrayReader';
  }

  open(ctx: ExecutionContext): void {
    this.position = ctx.getNumber(`${this.name}.position`);
    this.line = ctx.getNumber(`${this.name}.line`, 1);
    this.count = ctx.getNumber(`${this.name}.count`);
    this.elements = arrayElements(this.options.path, this.position, this.line);
  }

  async read(): Promise<T | null> {
    if (!this.elements) throw new Error(`${this.name}: read() before open()`);
    const next = await this.elements.next();
    if (next.done) return null;
    const e = next.value;
    this.position = e.end;
    this.line = e.lineAtEnd;
    const index = this.count++;
    try {
      const value: unknown = JSON.parse(e.text);
      return this.options.map ? this.options.map(value, index) : (value as T);
    } catch (error) {
      if (error instanceof FlatFileParseError) throw error;
      throw new FlatFileParseError((error as Error).message, e.line, e.text, { cause: error });
    }
  }

  update(ctx: ExecutionContext): void {
    ctx.put(`${this.name}.position`, this.position);
    ctx.put(`${this.name}.line`, this.line);
    ctx.put(`${this.name}.count`, this.count);
  }

  async close(): Promise<void> {
    await this.elements?.return(undefined);
    this.elements = undefined;
  }
}

export function jsonArrayReader<T>(options: JsonArrayReaderOptions<T>): JsonArrayReader<T> {
  return new JsonArrayReader(options);
}

/**
 * Writes the items as one JSON array (Spring Batch's `JsonFileItemWriter`): `[` when the file is
 * created, elements separated by commas, `]` when the step closes the writer. Restartable like the
 * other file writers: a restart truncates to the last committed element and carries on, so the
 * file is a valid array again once the step ends.
 *
 * @example jsonArrayWriter<Order>({ path: 'out.json' })
 */
export class JsonArrayWriter<T> implements ItemWriter<T>, ItemStream {
  private readonly file: ChunkFile;
  private readonly name: string;
  private count = 0;

  constructor(options: { path: string; name?: string; sync?: boolean }) {
    this.name = options.name ?? 'jsonArrayWriter';
    this.file = new ChunkFile(options.path, this.name, { sync: options.sync, header: () => '[' });
  }

  async open(ctx: ExecutionContext): Promise<void> {
    this.count = ctx.getNumber(`${this.name}.count`);
    await this.file.open(ctx);
  }

  async write(items: readonly T[]): Promise<void> {
    let text = '';
    for (const item of items) text += `${this.count++ === 0 ? '\n' : ',\n'}${JSON.stringify(item)}`;
    await this.file.append(text);
  }

  async update(ctx: ExecutionContext): Promise<void> {
    await this.file.update(ctx);
    ctx.put(`${this.name}.count`, this.count);
  }

  async close(): Promise<void> {
    await this.file.append('\n]\n').catch(() => undefined);
    await this.file.close();
  }
}

export function jsonArrayWriter<T>(options: {
  path: string;
  name?: string;
  sync?: boolean;
}): JsonArrayWriter<T> {
  return new JsonArrayWriter(options);
}
