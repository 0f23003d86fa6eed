import { createHash } from 'node:crypto';
import { type SpringBatchVersion, springJobKeyText } from '@batchyard/core';

/**
 * Job parameters: typed values, each identifying (part of the JobInstance's identity) or not.
 *
 * @example
 * const params = parameters({ rows: 1000, seed: 1, input: '/data/tx.csv' })
 *   .with('runAt', new Date(), { identifying: false });
 */

export type JobParameterType = 'STRING' | 'NUMBER' | 'DATE' | 'BOOLEAN';
export type JobParameterValue = string | number | Date | boolean;

export interface JobParameter {
  readonly value: JobParameterValue;
  readonly type: JobParameterType;
  readonly identifying: boolean;
}

export function typeOf(value: JobParameterValue): JobParameterType {
  if (typeof value === 'number') return 'NUMBER';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (value instanceof Date) return 'DATE';
  return 'STRING';
}

/** The text form of a value (dates ISO-8601); `decodeValue` is its inverse. */
export function encodeValue(value: JobParameterValue): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

export function decodeValue(type: JobParameterType, text: string): JobParameterValue {
  switch (type) {
    case 'NUMBER': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw new TypeError(`'${text}' is not a NUMBER`);
      return n;
    }
    case 'BOOLEAN':
      if (text !== 'true' && text !== 'false') throw new TypeError(`'${text}' is not a BOOLEAN (true|false)`);
      return text === 'true';
    case 'DATE': {
      const d = new Date(text);
      if (Number.isNaN(d.getTime())) throw new TypeError(`'${text}' is not a DATE (ISO-8601)`);
      return d;
    }
    default:
      return text;
  }
}

/** Immutable, ordered by name. */
export class JobParameters {
  private readonly entries: ReadonlyMap<string, JobParameter>;

  constructor(entries: Iterable<[string, JobParameter]> = []) {
    this.entries = new Map([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  with(name: string, value: JobParameterValue, opts: { identifying?: boolean } = {}): JobParameters {
    const next = new Map(this.entries);
    next.set(name, { value, type: typeOf(value), identifying: opts.identifying ?? true });
    return new JobParameters(next);
  }

  /** Parameters of `other` override these (used to add CLI options to module defaults). */
  merge(other: JobParameters): JobParameters {
    return new JobParameters([...this.entries, ...other.entries]);
  }

  get(name: string): JobParameter | undefined {
    return this.entries.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  string(name: string, fallback?: string): string {
    const p = this.entries.get(name);
    if (p === undefined) {
      if (fallback !== undefined) return fallback;
      throw new Error(`missing job parameter '${name}'`);
    }
    return encodeValue(p.value);
  }

  number(name: string, fallback?: number): number {
    const p = this.entries.get(name);
    if (p === undefined) {
      if (fallback !== undefined) return fallback;
      throw new Error(`missing job parameter '${name}'`);
    }
    const n = typeof p.value === 'number' ? p.value : Number(encodeValue(p.value));
    if (Number.isNaN(n))
      throw new TypeError(`job parameter '${name}' is not a number: ${encodeValue(p.value)}`);
    return n;
  }

  boolean(name: string, fallback?: boolean): boolean {
    const p = this.entries.get(name);
    if (p === undefined) {
      if (fallback !== undefined) return fallback;
      throw new Error(`missing job parameter '${name}'`);
    }
    return p.value === true || p.value === 'true';
  }

  date(name: string): Date {
    const p = this.entries.get(name);
    if (p === undefined) throw new Error(`missing job parameter '${name}'`);
    return p.value instanceof Date ? p.value : (decodeValue('DATE', encodeValue(p.value)) as Date);
  }

  [Symbol.iterator](): IterableIterator<[string, JobParameter]> {
    return this.entries[Symbol.iterator]();
  }

  get size(): number {
    return this.entries.size;
  }

  identifying(): JobParameters {
    return new JobParameters([...this.entries].filter(([, p]) => p.identifying));
  }

  /**
   * Canonical text of the identifying parameters: `name=TYPE:value;` sorted by name (for logs).
   */
  canonical(): string {
    let s = '';
    for (const [name, p] of this.entries) {
      if (p.identifying) s += `${name}=${p.type}:${encodeValue(p.value)};`;
    }
    return s;
  }

  /**
   * BATCH_JOB_INSTANCE.JOB_KEY as Spring Batch's DefaultJobKeyGenerator computes it (MD5 hex of
   * the identifying parameters' Java toString, sorted by name), so the same identifying
   * parameters reach the same JobInstance from a Java app and from this worker. Spring Batch 5
   * and 6 hash different texts; 5 is the default (Spring Boot 3).
   */
  jobKey(version: SpringBatchVersion = 5): string {
    const text = springJobKeyText(
      [...this.entries].map(([name, p]) => ({ name, value: p.value, identifying: p.identifying })),
      version,
    );
    return createHash('md5').update(text, 'utf8').digest('hex');
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries([...this.entries].map(([k, p]) => [k, `${encodeValue(p.value)},${p.type}`]));
  }
}

/** Builds identifying parameters from a plain object. */
export function parameters(values: Record<string, JobParameterValue> = {}): JobParameters {
  let p = new JobParameters();
  for (const [k, v] of Object.entries(values)) p = p.with(k, v);
  return p;
}
