import type { StepExecution } from '../model/execution.js';
import type { ChunkStep } from '../model/step.js';

/**
 * The chunk loop's hot path for steps without listeners and without fault tolerance: no per-item
 * promise unless the reader/processor is actually async. Awaiting a plain value still costs a
 * microtask, which at a million items a second is most of the engine's overhead.
 */
export function isFastPath(step: ChunkStep): boolean {
  return !step.listeners?.length && !step.faultTolerance && (step.processConcurrency ?? 1) <= 1;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

/** Reads up to chunkSize items into `into`; returns false once the reader is exhausted. */
export async function readChunkFast(step: ChunkStep, se: StepExecution, into: unknown[]): Promise<boolean> {
  const reader = step.reader;
  for (let i = 0; i < step.chunkSize; i++) {
    let item: unknown = reader.read();
    if (isThenable(item)) item = await item;
    if (item === null || item === undefined) return false;
    se.readCount++;
    into.push(item);
  }
  return true;
}

/** Processes `inputs` in order; null results are filtered (filterCount). */
export async function processChunkFast(
  step: ChunkStep,
  se: StepExecution,
  inputs: unknown[],
): Promise<unknown[]> {
  const processor = step.processor;
  if (!processor) return inputs;
  const out: unknown[] = [];
  for (const item of inputs) {
    let result: unknown = processor.process(item);
    if (isThenable(result)) result = await result;
    if (result === null || result === undefined) se.filterCount++;
    else out.push(result);
  }
  return out;
}
