// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): `500m`, `1.5`, `512Mi`,
// `1G`, `1e3`, `2E-3`. They are held as an exact integer count of nano-units (bigint), because
// floating point makes `0.3` and `300m` unequal and string comparison makes `900m` > `1`.

const BINARY: Readonly<Record<string, bigint>> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};

const DECIMAL_EXPONENT: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY_RE = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(.*)$/;
const NANO_DIGITS = 9;

export interface Quantity {
  /** The text as given. */
  readonly text: string;
  /** Exact value in units of 10^-9 (rounded up below a nano-unit, as Kubernetes does). */
  readonly nanos: bigint;
  /** Approximate value in base units (cores, bytes), for display and metrics only. */
  readonly value: number;
}

export class QuantityError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid quantity '${input}': ${reason}`);
    this.name = 'QuantityError';
  }
}

/** Ceiling division for non-negative numerators and positive divisors. */
function divCeil(numerator: bigint, divisor: bigint): bigint {
  return (numerator + divisor - 1n) / divisor;
}

function suffixScale(input: string, suffix: string): { exp10: number; factor: bigint } {
  const binary = BINARY[suffix];
  if (binary !== undefined) return { exp10: 0, factor: binary };
  const decimal = DECIMAL_EXPONENT[suffix];
  if (decimal !== undefined) return { exp10: decimal, factor: 1n };
  const exponent = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
  if (exponent) {
    const exp10 = Number(exponent[1]);
    if (Math.abs(exp10) > 100) throw new QuantityError(input, 'exponent out of range');
    return { exp10, factor: 1n };
  }
  throw new QuantityError(
    input,
    `unknown suffix '${suffix}' (use one of n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent like e3)`,
  );
}

/** Parses a quantity; throws QuantityError naming the input and the reason. */
export function parseQuantity(input: string): Quantity {
  const text = input.trim();
  if (text.length === 0) throw new QuantityError(input, 'must not be empty');
  const match = QUANTITY_RE.exec(text);
  if (!match) throw new QuantityError(input, 'must start with a number');
  const [, sign = '', number = '', suffix = ''] = match;
  const [whole = '', fraction = ''] = number.split('.');
  const { exp10, factor } = suffixScale(input, suffix);
  const mantissa = BigInt(`${whole}${fraction}` || '0') * factor;
  // value = mantissa × 10^(exp10 − fraction.length); in nanos, shift by another 10^9.
  const shift = exp10 - fraction.length + NANO_DIGITS;
  const magnitude = shift >= 0 ? mantissa * 10n ** BigInt(shift) : divCeil(mantissa, 10n ** BigInt(-shift));
  const nanos = sign === '-' ? -magnitude : magnitude;
  return { text: input, nanos, value: Number(nanos) / 1e9 };
}

/** Why `input` is not a valid quantity, or undefined. */
export function quantityError(input: string): string | undefined {
  try {
    parseQuantity(input);
    return undefined;
  } catch (error) {
    return error instanceof QuantityError ? error.message : String(error);
  }
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`, compared exactly. */
export function compareQuantities(a: string | Quantity, b: string | Quantity): -1 | 0 | 1 {
  const x = typeof a === 'string' ? parseQuantity(a).nanos : a.nanos;
  const y = typeof b === 'string' ? parseQuantity(b).nanos : b.nanos;
  return x < y ? -1 : x > y ? 1 : 0;
}
