/**
 * Fault injection for the remote-partition sample: one partition takes far more memory than any
 * sensible limit, so its pod is OOM-killed while the other partitions run normally.
 */

const CHUNK_BYTES = 16 * 1024 * 1024;

/** Raised when the hog was not killed: the partition's memory limit is above what it took. */
export class MemoryHogSurvived extends Error {
  override readonly name = 'MemoryHogSurvived';
}

/**
 * Allocates `mib` MiB and touches every page (a zero-filled buffer may stay virtual and never count
 * as resident), then holds it. A memory limit below that ends the process with SIGKILL (OOMKilled);
 * without one the hog gives up after `holdMs` and throws, so a wrong set-up fails instead of hanging.
 */
export async function hogMemory(mib: number, holdMs = 60_000): Promise<never> {
  const held: Buffer[] = [];
  for (let left = mib * 1024 * 1024; left > 0; left -= CHUNK_BYTES) {
    held.push(Buffer.alloc(Math.min(CHUNK_BYTES, left), 0xa5));
    // Let the event loop breathe: the memory grows visibly instead of in one step.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  throw new MemoryHogSurvived(
    `hogPartition: held ${held.length > 0 ? mib : 0} MiB for ${holdMs / 1000} s and was not killed; its memory limit is higher`,
  );
}
