/**
 * Job parameters in Spring Batch 5/6's format (BATCH_JOB_EXECUTION_PARAMS): the value's Java
 * class in PARAMETER_TYPE, its text as Spring's conversion service writes it in PARAMETER_VALUE
 * (dates as ISO-8601 instants), IDENTIFYING 'Y'/'N'; and the job key Spring Batch derives from
 * the identifying ones (DefaultJobKeyGenerator: MD5 of each one's Java toString, sorted by name).
 */

export type BatchyardParameterType = 'STRING' | 'NUMBER' | 'DATE' | 'BOOLEAN';
export type BatchyardParameterValue = string | number | Date | boolean;

export interface SpringParameterRow {
  name: string;
  /** A Java class name: java.lang.String, java.lang.Long, java.lang.Double, java.lang.Boolean, java.util.Date, … */
  type: string;
  value: string | null;
  /** 'Y' or 'N'. */
  identifying: string;
}

/** Which Spring Batch's job key: 5.x (`name={value=…, type=…, identifying=true};`) or 6.x (`JobParameter{name='…', …}`). */
export type SpringBatchVersion = 5 | 6;

const JAVA_NUMBER_TYPES = new Set([
  'java.lang.Long',
  'java.lang.Integer',
  'java.lang.Short',
  'java.lang.Byte',
  'java.lang.Double',
  'java.lang.Float',
  'java.math.BigDecimal',
  'java.math.BigInteger',
]);
const JAVA_DATE_TYPES = new Set([
  'java.util.Date',
  'java.sql.Date',
  'java.sql.Timestamp',
  'java.time.LocalDateTime',
  'java.time.LocalDate',
]);

export function javaType(value: BatchyardParameterValue): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'java.lang.Long' : 'java.lang.Double';
  if (typeof value === 'boolean') return 'java.lang.Boolean';
  if (value instanceof Date) return 'java.util.Date';
  return 'java.lang.String';
}

/** Java's Double.toString for a finite double: decimal in [10^-3, 10^7), else d.dddE±n. */
export function javaDouble(n: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** PARAMETER_VALUE: what Spring's conversion service writes (ISO_INSTANT for dates). */
export function springValue(value: BatchyardParameterValue): string {
  if (value instanceof Date) return value.toISOString().replace('.000Z', 'Z');
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : javaDouble(value);
  return String(value);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** java.util.Date#toString in a JVM running in UTC: `Mon Nov 30 00:00:00 UTC 2026`. */
export function javaDateString(d: Date): string {
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
  );
}

/** The value's Java toString(), which the job key hashes. */
export function javaString(value: BatchyardParameterValue): string {
  return value instanceof Date ? javaDateString(value) : springValue(value);
}

export interface KeyParameter {
  name: string;
  value: BatchyardParameterValue;
  identifying: boolean;
}

/**
 * The text Spring Batch's DefaultJobKeyGenerator hashes (MD5, hex) into JOB_KEY. The hash itself
 * is left to the caller (node:crypto in the worker) so this module stays free of Node APIs.
 */
export function springJobKeyText(params: Iterable<KeyParameter>, version: SpringBatchVersion = 5): string {
  const sorted = [...params]
    .filter((p) => p.identifying)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let text = '';
  for (const p of sorted) {
    const type = `class ${javaType(p.value)}`;
    const value = javaString(p.value);
    text +=
      version === 5
        ? `${p.name}={value=${value}, type=${type}, identifying=true};`
        : `JobParameter{name='${p.name}', value=${value}, type=${type}, identifying=true}`;
  }
  return text;
}

/** A Batchyard parameter as a BATCH_JOB_EXECUTION_PARAMS row. */
export function toSpringParameter(p: KeyParameter): SpringParameterRow {
  return {
    name: p.name,
    type: javaType(p.value),
    value: springValue(p.value),
    identifying: p.identifying ? 'Y' : 'N',
  };
}

/** Batchyard's type for a Java class name; anything unknown reads as a string. */
export function batchyardType(javaClass: string): BatchyardParameterType {
  if (JAVA_NUMBER_TYPES.has(javaClass)) return 'NUMBER';
  if (javaClass === 'java.lang.Boolean') return 'BOOLEAN';
  if (JAVA_DATE_TYPES.has(javaClass)) return 'DATE';
  return 'STRING';
}

/** A BATCH_JOB_EXECUTION_PARAMS row as a typed value (a date without zone reads as UTC). */
export function fromSpringParameter(
  row: SpringParameterRow,
): KeyParameter & { type: BatchyardParameterType } {
  const type = batchyardType(row.type);
  const text = row.value ?? '';
  let value: BatchyardParameterValue = text;
  if (type === 'NUMBER' && text.trim() !== '' && !Number.isNaN(Number(text))) value = Number(text);
  else if (type === 'BOOLEAN') value = text.toLowerCase() === 'true';
  else if (type === 'DATE') {
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) || !text.includes('T') ? text : `${text}Z`);
    if (!Number.isNaN(d.getTime())) value = d;
  }
  const typed = typeof value === 'string' && type !== 'STRING' ? 'STRING' : type;
  return { name: row.name, value, type: typed, identifying: row.identifying.toUpperCase() === 'Y' };
}
