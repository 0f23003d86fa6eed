import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './paging.js';

describe('cursors', () => {
  it('round-trip the sort key', () => {
    expect(decodeCursor(encodeCursor(['name-é', 42]))).toEqual(['name-é', 42]);
  });
  it.each([
    '',
    'not-base64!!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[{}]').toString('base64url'),
  ])('reject %j', (bad) => {
    expect(decodeCursor(bad)).toBeUndefined();
  });
});
