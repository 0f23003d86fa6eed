import { describe, expect, it } from 'vitest';
import { findUnstorable } from './storable-strings.js';

describe('findUnstorable', () => {
  it('finds NULs and unpaired surrogates, in values and keys, with their path', () => {
    expect(findUnstorable({ name: 'a\u0000b' }, 'body')).toBe('body.name');
    expect(findUnstorable({ args: ['ok', '\uD800'] }, 'body')).toBe('body.args.1');
    expect(findUnstorable({ p: { 'k\uDC00': 'v' } }, 'body')).toBe('body.p.k?');
    expect(findUnstorable('x\uDFFFy', 'query.q')).toBe('query.q');
  });
  it('accepts paired surrogates (emoji) and ordinary text', () => {
    expect(findUnstorable({ name: 'etl 🚀', n: 3, list: [null, true] }, 'body')).toBeUndefined();
  });
});
