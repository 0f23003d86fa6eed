import type { ItemReader, ItemStream, ItemWriter } from '../model/api.js';
import type { ExecutionContext } from '../model/context.js';
import { ChunkFile, FlatFileParseError, linesWithOffsets } from './files.js';

export interface JsonLinesReaderOptions<T> {
  path: string;
  name?: string;
  /** Validates/converts the parsed value (throw → FlatFileParseError, skippable). */
  map?: (value: unknown, lineNumber: number) => T;
}

/**
 * JSON Lines reader (one JSON value per line, blank lines ignored). Restartable by byte offset.
 *
 * @example jsonLinesReader<Order>({ path: 'orders.jsonl' })
 */
export class JsonLinesReader<T> implements ItemReader<T>, ItemStream {
  private lines: AsyncGenerator<{ line: string; end: number }> | undefined;
  private position = 0;
  private lineNumber = 0;
  private readonly name: string;

  constructor(private readonly options: JsonLinesReaderOptions<T>) {
    this.name = options.name ?? 'jsonLinesReader';
  }

  open(ctx: ExecutionContext): void {
    this.position = ctx.getNumber(`${this.name}.position`);
    this.lineNumber = ctx.getNumber(`${this.name}.line`);
    this.lines = linesWithOffsets(this.options.path, this.position);
  }

  async read(): Promise<T | null> {
    if (!this.lines) throw new Error(`${this.name}: read() before open()`);
    for (;;) {
      const next = await this.lines.next();
      if (next.done) return null;
      this.position = next.value.end;
      this.lineNumber++;
      const line = next.value.line;
      if (line.trim() === '') continue;
      try {
        const value: unknown = JSON.parse(line);
        return this.options.map ? this.options.map(value, this.lineNumber) : (value as T);
      } catch (error) {
        throw new FlatFileParseError((error as Error).message, this.lineNumber, line, { cause: error });
      }
    }
  }

  update(ctx: ExecutionContext): void {
    ctx.put(`${this.name}.position`, this.position);
    ctx.put(`${this.name}.line`, this.lineNumber);
  }

  async close(): Promise<void> {
    await this.lines?.return(undefined);
    this.lines = undefined;
  }
}

export function jsonLinesReader<T>(options: JsonLinesReaderOptions<T>): JsonLinesReader<T> {
  return new JsonLinesReader(options);
}

/** JSON Lines writer. Restartable (truncates to the last committed position), see ChunkFile. */
export class JsonLinesWriter<T> implements ItemWriter<T>, ItemStream {
  private readonly file: ChunkFile;

  constructor(options: { path: string; name?: string; sync?: boolean }) {
    this.file = new ChunkFile(options.path, options.name ?? 'jsonLinesWriter', { sync: options.sync });
  }

  open(ctx: ExecutionContext): Promise<void> {
    return this.file.open(ctx);
  }

  async write(items: readonly T[]): Promise<void> {
    let text = '';
    for (const item of items) text += `${JSON.stringify(item)}\n`;
    await this.file.append(text);
  }

  update(ctx: ExecutionContext): Promise<void> {
    return this.file.update(ctx);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

export function jsonLinesWriter<T>(options: {
  path: string;
  name?: string;
  sync?: boolean;
}): JsonLinesWriter<T> {
  return new JsonLinesWriter(options);
}
