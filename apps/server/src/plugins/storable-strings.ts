import { invalid } from '@batchyard/core';
import type { FastifyInstance } from 'fastify';

/**
 * PostgreSQL stores neither NUL characters (text and jsonb) nor unpaired UTF-16 surrogates
 * (jsonb's \uD800 escapes): such a string used to reach the database and come back as a 500
 * (SQLSTATE 22021/22P05). One check, before validation, for every route: a 400 naming the field.
 */

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The dotted path of the first string (or object key) PostgreSQL cannot store, or undefined. */
export function findUnstorable(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (depth > 64 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, entry] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return `${path}.${key.replace(UNSTORABLE, '?')}`;
    const found = findUnstorable(entry, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function registerStorableStrings(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    for (const [where, value] of [
      ['params', req.params],
      ['query', req.query],
      ['body', req.body],
    ] as const) {
      const path = findUnstorable(value, where);
      if (path)
        throw invalid(path, 'contains a NUL character or an unpaired surrogate, which cannot be stored');
    }
  });
}
