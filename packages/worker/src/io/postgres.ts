import type { ChunkContext, ItemReader, ItemStream, ItemWriter, SqlClient } from '../model/api.js';
import type { ExecutionContext, JsonValue } from '../model/context.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Quotes an identifier after checking it is a plain (optionally schema-qualified) name. */
function ident(name: string): string {
  if (!IDENT.test(name)) throw new TypeError(`not a plain SQL identifier: '${name}'`);
  return name
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');
}

export interface PgKeysetReaderOptions<T> {
  /** Any client; reads happen outside the chunk transaction (a pool is the usual choice). */
  db: SqlClient;
  name?: string;
  /** `SELECT ... FROM ...` without WHERE/ORDER/LIMIT. */
  select: string;
  /** A unique, sortable column (usually the primary key); pages are `key > last ORDER BY key`. */
  key: string;
  /** Extra condition, with `$1..$n` referring to `params` (e.g. a partition range). */
  where?: string;
  params?: unknown[];
  pageSize?: number;
  map?: (row: Record<string, unknown>) => T;
}

/**
 * Keyset-paging reader: each page is `WHERE key > $last ORDER BY key LIMIT pageSize`, so the cost of
 * a page does not grow with the offset and a restart resumes after the last key committed.
 *
 * @example
 * pgKeysetReader({ db: pool, select: 'SELECT id, amount FROM payment', key: 'id', pageSize: 1000 })
 */
export class PgKeysetReader<T> implements ItemReader<T>, ItemStream {
  private page: Record<string, unknown>[] = [];
  private index = 0;
  private lastKey: JsonValue = null;
  private exhausted = false;
  private readonly name: string;
  private readonly sql: string;

  constructor(private readonly options: PgKeysetReaderOptions<T>) {
    this.name = options.name ?? 'pgKeysetReader';
    const n = options.params?.length ?? 0;
    const key = ident(options.key);
    const where = [
      options.where ? `(${options.where})` : '',
      `($${n + 1}::text IS NULL OR ${key} > $${n + 2})`,
    ]
      .filter(Boolean)
      .join(' AND ');
    this.sql = `SELECT * FROM (${options.select}) AS src WHERE ${where} ORDER BY ${key} LIMIT $${n + 3}`;
  }

  open(ctx: ExecutionContext): void {
    this.lastKey = ctx.get(`${this.name}.lastKey`) ?? null;
    this.page = [];
    this.index = 0;
    this.exhausted = false;
  }

  async read(): Promise<T | null> {
    if (this.index >= this.page.length) {
      if (this.exhausted) return null;
      const size = this.options.pageSize ?? 1000;
      const last = this.lastKey === null ? null : String(this.lastKey);
      const r = await this.options.db.query(this.sql, [
        ...(this.options.params ?? []),
        last,
        this.lastKey,
        size,
      ]);
      this.page = r.rows;
      this.index = 0;
      if (this.page.length < size) this.exhausted = true;
      if (this.page.length === 0) return null;
    }
    const row = this.page[this.index++]!;
    const key = row[this.options.key];
    this.lastKey = typeof key === 'number' || typeof key === 'string' ? key : String(key);
    return this.options.map ? this.options.map(row) : (row as T);
  }

  update(ctx: ExecutionContext): void {
    ctx.put(`${this.name}.lastKey`, this.lastKey);
  }
}

export function pgKeysetReader<T>(options: PgKeysetReaderOptions<T>): PgKeysetReader<T> {
  return new PgKeysetReader(options);
}

export interface PgWriterOptions<T> {
  table: string;
  columns: string[];
  /** Item → values in column order. */
  toRow: (item: T) => unknown[];
  /**
   * Upsert: the conflict target columns and, per updated column, the SQL expression (default
   * `EXCLUDED.<col>`); e.g. `{ total: 'settlement.total + EXCLUDED.total' }`. Without `update`
   * conflicting rows are left as they are (DO NOTHING).
   */
  onConflict?: { target: string[]; update?: Record<string, string> | string[] };
  /** Rows per INSERT statement (bounded by Postgres' 65535 bind parameters). */
  batchSize?: number;
}

/**
 * Batch INSERT/upsert through the chunk's transaction (`ctx.tx`): the rows commit together with
 * the step's counters and context, so a crash can neither lose nor double-apply a chunk. Requires
 * the Postgres job repository on the same database.
 *
 * @example
 * pgWriter({ table: 'payment_out', columns: ['id', 'amount'], toRow: (p) => [p.id, p.amount],
 *   onConflict: { target: ['id'], update: ['amount'] } })
 */
export class PgWriter<T> implements ItemWriter<T> {
  private readonly head: string;
  private readonly tail: string;
  private readonly statements = new Map<number, string>();

  constructor(private readonly options: PgWriterOptions<T>) {
    this.head = `INSERT INTO ${ident(options.table)} (${options.columns.map(ident).join(', ')}) VALUES `;
    const c = options.onConflict;
    if (!c) this.tail = '';
    else if (!c.update) this.tail = ` ON CONFLICT (${c.target.map(ident).join(', ')}) DO NOTHING`;
    else {
      const sets = Array.isArray(c.update)
        ? c.update.map((col) => `${ident(col)} = EXCLUDED.${ident(col)}`)
        : Object.entries(c.update).map(([col, expr]) => `${ident(col)} = ${expr}`);
      this.tail = ` ON CONFLICT (${c.target.map(ident).join(', ')}) DO UPDATE SET ${sets.join(', ')}`;
    }
  }

  async write(items: readonly T[], ctx: ChunkContext): Promise<void> {
    const tx = ctx.tx;
    if (!tx)
      throw new Error(
        `pgWriter(${this.options.table}) needs the Postgres job repository (no chunk transaction)`,
      );
    const width = this.options.columns.length;
    const batch = Math.min(this.options.batchSize ?? 1000, Math.floor(65535 / width));
    const toRow = this.options.toRow;
    for (let from = 0; from < items.length; from += batch) {
      const to = Math.min(items.length, from + batch);
      const values: unknown[] = new Array((to - from) * width);
      let v = 0;
      for (let i = from; i < to; i++) {
        const row = toRow(items[i] as T);
        if (row.length !== width) {
          throw new Error(
            `pgWriter(${this.options.table}): toRow gave ${row.length} values for ${width} columns`,
          );
        }
        for (let c = 0; c < width; c++) values[v++] = row[c];
      }
      await tx.query(this.statement(to - from, width), values);
    }
  }

  /** The INSERT text for `rows` rows, cached: every full chunk sends the same statement text. */
  private statement(rows: number, width: number): string {
    let text = this.statements.get(rows);
    if (!text) {
      const tuples = new Array<string>(rows);
      for (let r = 0; r < rows; r++) {
        const cols = new Array<string>(width);
        for (let c = 0; c < width; c++) cols[c] = `$${r * width + c + 1}`;
        tuples[r] = `(${cols.join(', ')})`;
      }
      text = this.head + tuples.join(', ') + this.tail;
      if (this.statements.size < 8) this.statements.set(rows, text);
    }
    return text;
  }
}

export function pgWriter<T>(options: PgWriterOptions<T>): PgWriter<T> {
  return new PgWriter(options);
}
