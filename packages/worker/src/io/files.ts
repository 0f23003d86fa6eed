import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { ExecutionContext } from '../model/context.js';

/** A malformed input record: skippable by class (`skip: [FlatFileParseError]`). */
export class FlatFileParseError extends Error {
  constructor(
    message: string,
    readonly lineNumber: number,
    readonly input: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} at line ${lineNumber}: ${input.slice(0, 200)}`, options);
    this.name = 'FlatFileParseError';
  }
}

/**
 * Lines of a file with the byte offset just after each line, so a reader can save an exact
 * restart position. Handles `\n` and `\r\n`. Starts at `start` (a saved offset).
 */
export async function* linesWithOffsets(
  path: string,
  start = 0,
): AsyncGenerator<{ line: string; end: number }, void, undefined> {
  let offset = start;
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { start })) {
    let buf = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl >= 0; nl = buf.indexOf(10, from)) {
      const end = nl > from && buf[nl - 1] === 13 ? nl - 1 : nl;
      offset += nl + 1 - from;
      yield { line: buf.toString('utf8', from, end), end: offset };
      from = nl + 1;
    }
    buf = buf.subarray(from);
    pending = Buffer.from(buf);
  }
  if (pending.length) {
    offset += pending.length;
    yield { line: pending.toString('utf8'), end: offset };
  }
}

/**
 * The restartable part every line-oriented reader shares: the byte offset and line number after
 * the last line read are saved in the context (`<name>.position`, `<name>.line`), and `open`
 * resumes there. Subclasses turn one line into an item, or `undefined` to skip it (blank lines,
 * headers); anything they throw becomes a FlatFileParseError carrying the line.
 */
export abstract class LineFileReader<T> {
  private lines: AsyncGenerator<{ line: string; end: number }> | undefined;
  private position = 0;
  private lineNumber = 0;

  protected constructor(
    private readonly path: string,
    protected readonly name: string,
  ) {}

  protected abstract parseLine(line: string, lineNumber: number): T | undefined;

  open(ctx: ExecutionContext): void {
    this.position = ctx.getNumber(`${this.name}.position`);
    this.lineNumber = ctx.getNumber(`${this.name}.line`);
    this.lines = linesWithOffsets(this.path, this.position);
  }

  async read(): Promise<T | null> {
    if (!this.lines) throw new Error(`${this.name}: read() before open()`);
    for (;;) {
      const next = await this.lines.next();
      if (next.done) return null;
      this.position = next.value.end;
      this.lineNumber++;
      const line = next.value.line;
      let item: T | undefined;
      try {
        item = this.parseLine(line, this.lineNumber);
      } catch (error) {
        if (error instanceof FlatFileParseError) throw error;
        throw new FlatFileParseError((error as Error).message, this.lineNumber, line, { cause: error });
      }
      if (item !== undefined) return item;
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

/**
 * A file written by chunks, restartable the Spring Batch way: the byte position after each
 * committed chunk is saved in the context, and a restart truncates the file there, dropping the
 * lines of a chunk written but not committed. Not transactional with the database: between the
 * write and the commit a crash leaves a one-chunk tail that the restart removes.
 */
export class ChunkFile {
  private handle: FileHandle | undefined;
  private position = 0;

  constructor(
    private readonly path: string,
    private readonly key: string,
    private readonly options: { sync?: boolean; header?: () => string } = {},
  ) {}

  async open(ctx: ExecutionContext): Promise<void> {
    const saved = ctx.get(`${this.key}.position`);
    if (typeof saved === 'number') {
      this.handle = await open(this.path, 'r+');
      await this.handle.truncate(saved);
      this.position = saved;
    } else {
      this.handle = await open(this.path, 'w');
      this.position = 0;
      const header = this.options.header?.();
      if (header) await this.append(header);
    }
  }

  async append(text: string): Promise<void> {
    if (!this.handle) throw new Error(`file '${this.path}' written before open()`);
    const buf = Buffer.from(text, 'utf8');
    await this.handle.write(buf, 0, buf.length, this.position);
    this.position += buf.length;
  }

  async update(ctx: ExecutionContext): Promise<void> {
    if (this.options.sync) await this.handle?.sync();
    ctx.put(`${this.key}.position`, this.position);
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}
