/**
 * Execution contexts as Spring Batch's Jackson2ExecutionContextStringSerializer stores them: a
 * JSON object carrying Jackson's default typing — maps as `{"@class":"java.util.HashMap",…}`,
 * lists as `["java.util.ArrayList",[…]]`, and longs outside the int range as
 * `["java.lang.Long",n]` (strings, booleans, ints and doubles need no hint). Spring's JDBC DAO
 * keeps the text in SHORT_CONTEXT when it fits in 2500 characters; otherwise SHORT_CONTEXT gets
 * its first 2492 characters + " ..." and SERIALIZED_CONTEXT the whole text.
 */

export type ContextValue =
  | string
  | number
  | boolean
  | null
  | ContextValue[]
  | { [key: string]: ContextValue };

/** Spring Batch's DEFAULT_SHORT_CONTEXT_LENGTH. */
export const SHORT_CONTEXT_LENGTH = 2500;

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

function encode(v: ContextValue): string {
  if (Array.isArray(v)) return `["java.util.ArrayList",[${v.map(encode).join(',')}]]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).map(([k, x]) => `,${JSON.stringify(k)}:${encode(x)}`);
    return `{"@class":"java.util.HashMap"${entries.join('')}}`;
  }
  if (typeof v === 'number' && Number.isInteger(v) && (v < INT_MIN || v > INT_MAX)) {
    return `["java.lang.Long",${JSON.stringify(v)}]`;
  }
  return JSON.stringify(v ?? null);
}

/** The context map as the Jackson serializer writes it. */
export function serializeContext(context: Record<string, ContextValue>): string {
  return encode(context);
}

/** A Java class name in a type hint (`java.lang.Long`, `com.acme.Foo$Bar`). */
const CLASS_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/;

function decode(v: unknown): ContextValue {
  if (Array.isArray(v)) {
    // [className, value]: a typed scalar or collection; anything else is a plain list.
    if (v.length === 2 && typeof v[0] === 'string' && CLASS_NAME.test(v[0])) {
      const inner = v[1];
      return Array.isArray(inner) ? inner.map(decode) : decode(inner);
    }
    return v.map(decode);
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, ContextValue> = {};
    for (const [k, x] of Object.entries(v)) if (k !== '@class') out[k] = decode(x);
    return out;
  }
  return v as ContextValue;
}

/**
 * The context as plain JSON, from Spring's two columns. A context Spring wrote with another
 * serializer (the Java-serialization default, base64) is not JSON: it reads as `undefined`.
 */
export function deserializeContext(
  shortContext: string | null | undefined,
  serializedContext?: string | null,
): Record<string, ContextValue> | undefined {
  const text = serializedContext ?? shortContext;
  if (!text) return {};
  try {
    const parsed = decode(JSON.parse(text));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** SHORT_CONTEXT and SERIALIZED_CONTEXT for a serialized context, by Spring's 2500-character rule. */
export function contextColumns(text: string): { short: string; serialized: string | null } {
  if (text.length <= SHORT_CONTEXT_LENGTH) return { short: text, serialized: null };
  return { short: `${text.slice(0, SHORT_CONTEXT_LENGTH - 8)} ...`, serialized: text };
}

/**
 * What the API shows for a context Spring wrote with its default serializer in Batch 5/6
 * (DefaultExecutionContextSerializer: Java serialization, base64 in the text column), which
 * Batchyard does not decode: a marker with its size and the Java classes its stream names.
 */
/** Java serialization's stream magic and version (0xACED 0005), as base64 starts it. */
const JAVA_BASE64_PREFIX = 'rO0AB';
const TC_CLASSDESC = 0x72;

/** The class names in a Java serialization stream's class descriptors, in stream order. */
function javaClassNames(bytes: Buffer): string[] {
  const names: string[] = [];
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] !== TC_CLASSDESC) continue;
    const length = bytes.readUInt16BE(i + 1);
    if (length === 0 || i + 3 + length > bytes.length) continue;
    const name = bytes.subarray(i + 3, i + 3 + length).toString('utf8');
    if (CLASS_NAME.test(name) && !names.includes(name)) {
      names.push(name);
      i += 2 + length;
    }
  }
  return names;
}

/**
 * The context for display: its map when Spring wrote JSON (the Jackson serializer), otherwise a
 * marker (`{"_serialized":"java",…}` for Java serialization), never an error.
 */
export function readableContext(
  shortContext: string | null | undefined,
  serializedContext?: string | null,
): Record<string, ContextValue> {
  const parsed = deserializeContext(shortContext, serializedContext);
  if (parsed !== undefined) return parsed;
  const text = (serializedContext ?? shortContext ?? '').trim();
  if (text.startsWith(JAVA_BASE64_PREFIX)) {
    const bytes = Buffer.from(text, 'base64');
    return { _serialized: 'java', bytes: bytes.length, classes: javaClassNames(bytes) };
  }
  return { _serialized: 'unknown', bytes: Buffer.byteLength(text), classes: [] };
}
