import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** mulberry32: a tiny deterministic PRNG, so the same seed always yields the same file. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MERCHANTS = 20;
/** About one line in fifty is malformed, to exercise the skip policy. */
const MALFORMED_RATE = 0.02;

/** One CSV line per transaction: id, merchant, amount in cents, currency. */
export function* transactionLines(rows: number, seed: number): Generator<string> {
  const rnd = prng(seed);
  for (let id = 1; id <= rows; id++) {
    const merchant = `M${String(Math.floor(rnd() * MERCHANTS)).padStart(3, '0')}`;
    const amount = 100 + Math.floor(rnd() * 100_000);
    const bad = rnd() < MALFORMED_RATE;
    yield bad ? `${id},${merchant},${amount % 2 ? 'n/a' : ''},EUR` : `${id},${merchant},${amount},EUR`;
  }
}

/**
 * Writes the input file. It goes to a temporary name first and is renamed at the end, so a crash
 * during generation never leaves a truncated file that a restart would take as complete.
 */
export async function generateTransactions(path: string, rows: number, seed: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    let buf = 'id,merchant,amount_cents,currency\n';
    for (const line of transactionLines(rows, seed)) {
      buf += `${line}\n`;
      if (buf.length > 1 << 16) {
        await fh.write(buf);
        buf = '';
      }
    }
    await fh.write(buf);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** Per-merchant expected totals, computed independently of the job (for tests). */
export function expectedSettlement(
  rows: number,
  seed: number,
): Map<string, { count: number; total: number }> {
  const out = new Map<string, { count: number; total: number }>();
  for (const line of transactionLines(rows, seed)) {
    const [, merchant, amount] = line.split(',');
    if (!amount || !/^\d+$/.test(amount)) continue;
    const m = out.get(merchant!) ?? { count: 0, total: 0 };
    m.count++;
    m.total += Number(amount);
    out.set(merchant!, m);
  }
  return out;
}
