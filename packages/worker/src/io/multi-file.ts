import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ItemReader, ItemStream } from '../model/api.js';
import { ExecutionContext, type JsonValue } from '../model/context.js';

type StreamReader<T> = ItemReader<T> & ItemStream;

export interface MultiFileReaderOptions<T> {
  /**
   * The files, read in this order; or a pattern with `*` and `?` in its last segment
   * (`/data/in/part-*.csv`), matched when the step opens and read sorted by name (as Spring
   * Batch's `MultiResourceItemReader` sorts by filename).
   */
  files: readonly string[] | string;
  /** The reader of one file; a new one per file. */
  reader: (path: string) => StreamReader<T>;
  name?: string;
  /** Fail when no file matches (default false: an empty input). */
  strict?: boolean;
}

/** Files matching `pattern` (wildcards in the last path segment only), sorted by name. */
export function matchFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const glob = basename(pattern);
  if (/[*?]/.test(dir)) throw new RangeError(`multiFileReader: wildcards only in the file name: ${pattern}`);
  const re = new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && re.test(e.name))
      .map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.sort().map((n) => join(dir, n));
}

/**
 * Reads several files one after the other through a per-file reader (Spring Batch's
 * `MultiResourceItemReader`). Restartable: the index of the current file, its path and the file
 * reader's own context are saved under `<name>.index`, `.file` and `.reader`; a restart reopens that
 * file where its reader left off. The file list is taken when the step opens; a restart refuses to
 * continue when the saved file is no longer at its index (the input changed between runs).
 *
 * @example multiFileReader({ files: '/data/in/*.csv', reader: (path) => csvReader({ path, map }) })
 */
export class MultiFileReader<T> implements ItemReader<T>, ItemStream {
  private files: readonly string[] = [];
  private index = 0;
  private current: StreamReader<T> | undefined;
  private currentContext = new ExecutionContext();
  private readonly name: string;

  constructor(private readonly options: MultiFileReaderOptions<T>) {
    this.name = options.name ?? 'multiFileReader';
  }

  async open(ctx: ExecutionContext): Promise<void> {
    const f = this.options.files;
    this.files = typeof f === 'string' ? matchFiles(f) : [...f];
    if (this.files.length === 0 && this.options.strict) {
      throw new Error(`${this.name}: no input file matches ${JSON.stringify(f)}`);
    }
    this.index = ctx.getNumber(`${this.name}.index`);
    const savedFile = ctx.get(`${this.name}.file`);
    if (typeof savedFile === 'string' && this.files[this.index] !== savedFile) {
      throw new Error(
        `${this.name}: restart expected '${savedFile}' at position ${this.index}, found '${this.files[this.index] ?? 'no file'}'`,
      );
    }
    const saved = ctx.get(`${this.name}.reader`);
    const state = saved && typeof saved === 'object' && !Array.isArray(saved) ? saved : {};
    if (this.index < this.files.length) await this.openFile(new ExecutionContext(state));
  }

  private async openFile(context: ExecutionContext): Promise<void> {
    this.currentContext = context;
    this.current = this.options.reader(this.files[this.index] as string);
    await this.current.open?.(this.currentContext);
  }

  async read(): Promise<T | null> {
    while (this.current) {
      const item = await this.current.read();
      if (item !== null && item !== undefined) return item;
      await this.current.close?.();
      this.current = undefined;
      this.index++;
      if (this.index < this.files.length) await this.openFile(new ExecutionContext());
    }
    return null;
  }

  async update(ctx: ExecutionContext): Promise<void> {
    await this.current?.update?.(this.currentContext);
    ctx.put(`${this.name}.index`, this.index);
    const file = this.files[this.index];
    if (file !== undefined) ctx.put(`${this.name}.file`, file);
    else ctx.remove(`${this.name}.file`);
    ctx.put(`${this.name}.reader`, this.currentContext.toJSON() as { [key: string]: JsonValue });
  }

  async close(): Promise<void> {
    await this.current?.close?.();
    this.current = undefined;
  }
}

export function multiFileReader<T>(options: MultiFileReaderOptions<T>): MultiFileReader<T> {
  return new MultiFileReader(options);
}
