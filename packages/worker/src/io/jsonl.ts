import type { ItemReader, ItemStream, ItemWriter } from '../model/api.js';
import type { ExecutionContext } from '../model/context.js';
import { ChunkFile, LineFileReader } from './files.js';

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
export class JsonLinesReader<T> extends LineFileReader<T> implements ItemReader<T>, ItemStream {
  constructor(private readonly options: JsonLinesReaderOptions<T>) {
    super(options.path, options.name ?? 'jsonLinesReader');
  }

  protected parseLine(line: string, lineNumber: number): T | undefined {
    if (line.trim() === '') return undefined;
    const value: unknown = JSON.parse(line);
    return this.options.map ? this.options.map(value, lineNumber) : (value as T);
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
