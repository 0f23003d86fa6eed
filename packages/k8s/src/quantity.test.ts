import { describe, expect, it } from 'vitest';
import { compareQuantities, parseQuantity, quantityError } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['500m', 500_000_000n],
    ['1.5', 1_500_000_000n],
    ['1', 1_000_000_000n],
    ['.5', 500_000_000n],
    ['100n', 100n],
    ['1u', 1000n],
    ['512Mi', 512n * 2n ** 20n * 1_000_000_000n],
    ['1.5Gi', 3n * 2n ** 29n * 1_000_000_000n],
    ['1G', 10n ** 18n],
    ['1k', 10n ** 12n],
    ['1e3', 10n ** 12n],
    ['1E3', 10n ** 12n],
    ['2e-3', 2_000_000n],
    ['1E', 10n ** 27n],
    ['0', 0n],
    ['-1', -1_000_000_000n],
  ])('%s', (text, nanos) => {
    expect(parseQuantity(text).nanos).toBe(nanos);
  });

  it('rounds up below a nano-unit as Kubernetes does', () => {
    expect(parseQuantity('0.1n').nanos).toBe(1n);
  });

  it('gives an approximate number for display', () => {
    expect(parseQuantity('250m').value).toBe(0.25);
    expect(parseQuantity('1Ki').value).toBe(1024);
  });

  it.each([
    ['', 'must not be empty'],
    ['abc', 'must start with a number'],
    ['1x', "unknown suffix 'x'"],
    ['1mi', "unknown suffix 'mi'"],
    ['1KiB', "unknown suffix 'KiB'"],
  ])('rejects %j naming the input', (text, why) => {
    expect(() => parseQuantity(text)).toThrow(`invalid quantity '${text}'`);
    expect(quantityError(text)).toContain(why);
  });
});

describe('compareQuantities', () => {
  it('compares exactly across suffixes, never as strings', () => {
    expect(compareQuantities('900m', '1')).toBe(-1);
    expect(compareQuantities('0.3', '300m')).toBe(0);
    expect(compareQuantities('1Gi', '1G')).toBe(1);
    expect(compareQuantities('1024Mi', '1Gi')).toBe(0);
    expect(compareQuantities('1e3', '1k')).toBe(0);
    expect(compareQuantities('2', '1500m')).toBe(1);
  });
});
