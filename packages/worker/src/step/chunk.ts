import type { ItemStream } from '../model/api.js';
import { JobInterruptedError } from '../model/errors.js';
import type { StepExecution } from '../model/execution.js';
import type { ChunkStep } from '../model/step.js';
import { commit } from './commit.js';
import { FastChunk, isFastPath, processConcurrencyOf } from './fast-path.js';
import { FaultPolicy, mapBounded } from './fault-tolerance.js';
import { processItem, readItem, SKIPPED, scan, writeItems } from './item-ops.js';
import { notify, type StepRuntime } from './runtime.js';

/** reader, processor, writer and extra streams that implement any ItemStream method. */
export function streamsOf(step: ChunkStep): ItemStream[] {
  const all: unknown[] = [step.reader, step.processor, step.writer, ...(step.streams ?? [])];
  return all.filter(
    (s): s is ItemStream =>
      typeof s === 'object' && s !== null && ('open' in s || 'update' in s || 'close' in s),
  );
}

/**
 * The chunk loop (Spring Batch 6 ChunkOrientedStep semantics):
 *
 * - read up to `chunkSize` items; a skipped read uses up its slot in the chunk; a chunk with no
 *   item left after skips is not written and not counted as a commit;
 * - process each item (null → filterCount), a skippable process failure skips the item in place;
 * - a failure in read or process (not skipped) rolls the chunk back (rollbackCount+1) and fails the step;
 * - write the chunk and commit the counters and the step context in ONE transaction;
 * - a write failure (after retries) rolls the chunk back (rollbackCount+1); if the error is
 *   skippable the already-processed items are re-written one by one in a new transaction (scan),
 *   each failing item being skipped (writeSkipCount+1, rollbackCount+1); the scan commits once.
 *
 * At each chunk boundary the step stops if SIGTERM arrived or the stored job status is STOPPING.
 */
export async function runChunkStep(step: ChunkStep, se: StepExecution, rt: StepRuntime): Promise<void> {
  const policy = new FaultPolicy(step.faultTolerance, rt.sleep);
  const streams = streamsOf(step);
  const listeners = step.listeners;
  const concurrency = processConcurrencyOf(step);
  const fast = isFastPath(step) ? new FastChunk(step) : undefined;
  for (const s of streams) await s.open?.(se.context);
  try {
    let more = true;
    while (more) {
      if (rt.stop.requested || se.terminateOnly) throw new JobInterruptedError('stop requested');
      if (listeners) await notify(listeners, 'beforeChunk', se);
      // ---- read + process ----
      // A failure here ends the chunk's transaction before its write: Spring Batch 6 counts it as a
      // rollback (and tells the chunk listeners) like a failed write.
      let outputs: unknown[];
      try {
        if (fast) {
          const read = fast.read(se);
          more = typeof read === 'boolean' ? read : await read;
          if (fast.size === 0) continue;
          const processed = fast.process(se);
          outputs = Array.isArray(processed) ? processed : await processed;
        } else {
          const inputs: unknown[] = [];
          for (let i = 0; i < step.chunkSize && more; i++) {
            const item = await readItem(step, se, policy);
            if (item === null) more = false;
            else if (item !== SKIPPED) inputs.push(item);
          }
          if (inputs.length === 0) continue;
          const processed = await mapBounded(inputs, concurrency, (item) =>
            processItem(step, se, policy, item),
          );
          outputs = processed.filter((o) => o !== SKIPPED && o !== null);
        }
      } catch (error) {
        se.rollbackCount++;
        await notify(listeners, 'onChunkError', error, se);
        throw error;
      }
      // ---- write + commit ----
      try {
        const items = outputs;
        await commit(
          se,
          rt,
          streams,
          fast
            ? (tx) => fast.write(se, rt.jobExecution, items, tx)
            : (tx) => writeItems(step, se, rt, policy, items, tx),
        );
      } catch (error) {
        se.rollbackCount++;
        await notify(listeners, 'onChunkError', error, se);
        if (!policy.isSkippable(error)) throw error;
        rt.log.info('write failed, scanning the chunk item by item', {
          step: se.stepName,
          items: outputs.length,
        });
        try {
          await commit(se, rt, streams, (tx) => scan(step, se, policy, outputs, rt, tx));
        } catch (scanError) {
          se.rollbackCount++;
          throw scanError;
        }
      }
      if (listeners) await notify(listeners, 'afterChunk', se);
    }
  } finally {
    for (const s of streams) await s.close?.();
  }
}
