import type { ItemReader, ItemStream, ItemWriter } from '../model/api.js';
import type { ExecutionContext } from '../model/context.js';
import { ChunkFile, FlatFileParseError, LineFileReader } from './files.js';

/** A fixed-width column: characters [start, end) of the line (0-based), or `width` for writing. */
export interface FixedColumn {
  name: string;
  start: number;
  end: number;
  /** Right-align when writing (numbers); default left. */
  alignRight?: boolean;
}

export interface FixedWidthReaderOptions<T> {
  path: string;
  name?: string;
  columns: FixedColumn[];
  /** Lines to skip at the beginning of the file (headers). */
  skipLines?: number;
  map: (row: Record<string, string>, lineNumber: number) => T;
}

/**
 * Fixed-width reader: slices each line into trimmed fields. Restartable by byte offset. A line
 * shorter than the last column is malformed (FlatFileParseError).
 *
 * @example fixedWidthReader({ path, columns: [{ name: 'id', start: 0, end: 8 }], map: (r) => r.id })
 */
export class FixedWidthReader<T> extends LineFileReader<T> implements ItemReader<T>, ItemStream {
  private readonly width: number;

  constructor(private readonly options: FixedWidthReaderOptions<T>) {
    super(options.path, options.name ?? 'fixedWidthReader');
    this.width = Math.max(...options.columns.map((c) => c.end));
  }

  protected parseLine(line: string, lineNumber: number): T | undefined {
    if (lineNumber <= (this.options.skipLines ?? 0) || line.trim() === '') return undefined;
    if (line.length < this.width) {
      throw new FlatFileParseError(`line shorter than ${this.width} characters`, lineNumber, line);
    }
    const row: Record<string, string> = {};
    for (const c of this.options.columns) row[c.name] = line.slice(c.start, c.end).trim();
    return this.options.map(row, lineNumber);
  }
}

export function fixedWidthReader<T>(options: FixedWidthReaderOptions<T>): FixedWidthReader<T> {
  return new FixedWidthReader(options);
}

export interface FixedWidthWriterOptions<T> {
  path: string;
  name?: string;
  columns: FixedColumn[];
  toRow: (item: T) => Record<string, string | number>;
  sync?: boolean;
}

/** Fixed-width writer: pads (or cuts) each field to its column. Restartable like CsvWriter. */
export class FixedWidthWriter<T> implements ItemWriter<T>, ItemStream {
  private readonly file: ChunkFile;

  constructor(private readonly options: FixedWidthWriterOptions<T>) {
    this.file = new ChunkFile(options.path, options.name ?? 'fixedWidthWriter', { sync: options.sync });
  }

  open(ctx: ExecutionContext): Promise<void> {
    return this.file.open(ctx);
  }

  format(item: T): string {
    const row = this.options.toRow(item);
    let line = '';
    for (const c of this.options.columns) {
      const width = c.end - c.start;
      const text = String(row[c.name] ?? '').slice(0, width);
      line = line.padEnd(c.start) + (c.alignRight ? text.padStart(width) : text.padEnd(width));
    }
    return line;
  }

  async write(items: readonly T[]): Promise<void> {
    await this.file.append(`${items.map((i) => this.format(i)).join('\n')}\n`);
  }

  update(ctx: ExecutionContext): Promise<void> {
    return this.file.update(ctx);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

export function fixedWidthWriter<T>(options: FixedWidthWriterOptions<T>): FixedWidthWriter<T> {
  return new FixedWidthWriter(options);
}
