import { createReadStream, type ReadStream } from 'node:fs';
import { type Parser, parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { ItemReader, ItemStream, ItemWriter } from '../model/api.js';
import type { ExecutionContext } from '../model/context.js';
import { ChunkFile, FlatFileParseError } from './files.js';

/** A parsed row: by column name when the columns are known, otherwise by position. */
export type CsvRow = Record<string, string>;

export interface CsvReaderOptions<T> {
  path: string;
  /** Prefix of the context keys; give distinct names to two readers in one step. */
  name?: string;
  delimiter?: string;
  /** Column names; when omitted the first line is the header. */
  columns?: string[];
  /**
   * Turns a row into an item. Throwing marks the line malformed: it is reported as a
   * FlatFileParseError (skippable) with its line number.
   */
  map: (row: CsvRow, lineNumber: number) => T;
}

interface Parsed {
  record: string[];
  info: { bytes: number; lines: number };
}

/**
 * Delimited-file reader on csv-parse (quotes, embedded delimiters and newlines handled).
 * Restartable: the byte offset after the last item read is saved at each commit, so a restart
 * seeks straight there instead of re-reading the file.
 *
 * @example
 * csvReader({ path: 'tx.csv', map: (r) => ({ id: Number(r.id), amount: Number(r.amount) }) })
 */
export class CsvReader<T> implements ItemReader<T>, ItemStream {
  private parser: Parser | undefined;
  private source: ReadStream | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private start = 0;
  private position = 0;
  private lineBase = 0;
  private lineNumber = 0;
  private count = 0;
  private columns: string[] | undefined;
  private readonly name: string;

  constructor(private readonly options: CsvReaderOptions<T>) {
    this.name = options.name ?? 'csvReader';
  }

  open(ctx: ExecutionContext): void {
    this.start = ctx.getNumber(`${this.name}.position`);
    this.position = this.start;
    this.count = ctx.getNumber(`${this.name}.count`);
    this.lineBase = ctx.getNumber(`${this.name}.line`);
    this.lineNumber = this.lineBase;
    const saved = ctx.get(`${this.name}.columns`);
    this.columns = this.options.columns ?? (Array.isArray(saved) ? (saved as string[]) : undefined);
    this.ended = false;
    this.source = createReadStream(this.options.path, { start: this.start });
    this.parser = this.source.pipe(
      parse({
        delimiter: this.options.delimiter ?? ',',
        relax_column_count: true,
        skip_empty_lines: true,
        info: true,
      }),
    );
    // Keep every stream error (a missing file, malformed quoting) and rethrow it from read():
    // an 'error' event with no listener would crash the process instead of failing the step.
    this.failure = undefined;
    const fail = (error: unknown) => {
      this.failure ??= { error };
    };
    this.source.on('error', (error) => {
      fail(error);
      this.parser?.destroy(error);
    });
    this.parser.on('error', fail);
  }

  /**
   * Synchronous while the parser has buffered records (most calls); a promise only when it must
   * wait for more input. Pulling with `read()` instead of an async iterator saves a promise per row.
   */
  read(): T | null | Promise<T | null> {
    const parser = this.parser;
    if (!parser) throw new Error(`${this.name}: read() before open()`);
    for (;;) {
      if (this.failure) throw this.failure.error;
      const next = parser.read() as Parsed | null;
      if (next === null) {
        if (this.ended || parser.readableEnded) return null;
        return this.waitForData(parser).then(() => this.read());
      }
      const { record, info } = next;
      this.position = this.start + info.bytes;
      this.lineNumber = this.lineBase + info.lines;
      if (!this.columns) {
        this.columns = record;
        continue;
      }
      this.count++;
      const row: CsvRow = {};
      for (let i = 0; i < record.length; i++) row[this.columns[i] ?? String(i)] = record[i]!;
      try {
        return this.options.map(row, this.lineNumber);
      } catch (error) {
        throw new FlatFileParseError(
          (error as Error).message ?? 'unparsable',
          this.lineNumber,
          record.join(','),
          {
            cause: error,
          },
        );
      }
    }
  }

  update(ctx: ExecutionContext): void {
    ctx.put(`${this.name}.position`, this.position);
    ctx.put(`${this.name}.count`, this.count);
    ctx.put(`${this.name}.line`, this.lineNumber);
    if (this.columns && !this.options.columns) ctx.put(`${this.name}.columns`, this.columns);
  }

  private waitForData(parser: Parser): Promise<void> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        parser.off('readable', onReadable);
        parser.off('end', onEnd);
        parser.off('error', onError);
        parser.off('close', onReadable);
      };
      const onReadable = () => {
        cleanup();
        resolve();
      };
      const onEnd = () => {
        this.ended = true;
        onReadable();
      };
      const onError = (error: unknown) => {
        cleanup();
        reject(error);
      };
      if (this.failure) return reject(this.failure.error);
      parser.on('readable', onReadable);
      parser.on('end', onEnd);
      parser.on('error', onError);
      parser.on('close', onReadable);
    });
  }

  close(): void {
    // pipe() does not destroy the source with the parser: close the file handle explicitly.
    this.source?.destroy();
    this.parser?.destroy();
    this.parser = undefined;
    this.source = undefined;
  }
}

export function csvReader<T>(options: CsvReaderOptions<T>): CsvReader<T> {
  return new CsvReader(options);
}

export interface CsvWriterOptions<T> {
  path: string;
  name?: string;
  columns: string[];
  /** Write the column names first (default true). */
  header?: boolean;
  delimiter?: string;
  /** Item → row values in column order (default: the item's properties named by `columns`). */
  toRow?: (item: T) => unknown[];
  /** fsync at each commit (default false). */
  sync?: boolean;
}

/**
 * Delimited-file writer on csv-stringify. Restartable (truncates to the last committed position);
 * at-least-once only between a write and its commit — see ChunkFile.
 */
export class CsvWriter<T> implements ItemWriter<T>, ItemStream {
  private readonly file: ChunkFile;

  constructor(private readonly options: CsvWriterOptions<T>) {
    const delimiter = options.delimiter ?? ',';
    this.file = new ChunkFile(options.path, options.name ?? 'csvWriter', {
      sync: options.sync,
      header: options.header === false ? undefined : () => stringify([options.columns], { delimiter }),
    });
  }

  open(ctx: ExecutionContext): Promise<void> {
    return this.file.open(ctx);
  }

  async write(items: readonly T[]): Promise<void> {
    const { columns, toRow } = this.options;
    const rows = items.map((item) =>
      toRow ? toRow(item) : columns.map((c) => (item as Record<string, unknown>)[c]),
    );
    await this.file.append(stringify(rows, { delimiter: this.options.delimiter ?? ',' }));
  }

  update(ctx: ExecutionContext): Promise<void> {
    return this.file.update(ctx);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

export function csvWriter<T>(options: CsvWriterOptions<T>): CsvWriter<T> {
  return new CsvWriter(options);
}
