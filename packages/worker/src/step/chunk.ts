import type { ItemStream, SqlClient } from '../model/api.js';
import { JobInterruptedError } from '../model/errors.js';
import type { StepExecution } from '../model/execution.js';
import type { ChunkStep } from '../model/step.js';
import { isFastPath, processChunkFast, readChunkFast } from './fast-path.js';
import { FaultPolicy, mapBounded } from './fault-tolerance.js';
import { notify, type StepRuntime } from './runtime.js';

const SKIPPED = Symbol('skipped');

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
  const concurrency = Math.max(1, step.processConcurrency ?? 1);
  const fast = isFastPath(step);
  for (const s of streams) await s.open?.(se.context);
  try {
    let more = true;
    while (more) {
      if (rt.stop.requested || se.terminateOnly) throw new JobInterruptedError('stop requested');
      if (listeners) await notify(listeners, 'beforeChunk', se);
      // ---- read ----
      const inputs: unknown[] = [];
      if (fast) more = await readChunkFast(step, se, inputs);
      else {
        for (let i = 0; i < step.chunkSize && more; i++) {
          const item = await readItem(step, se, policy);
          if (item === null) more = false;
          else if (item !== SKIPPED) inputs.push(item);
        }
      }
      if (inputs.length === 0) continue;
      // ---- process ----
      let outputs: unknown[];
      if (fast) outputs = await processChunkFast(step, se, inputs);
      else {
        const processed = await mapBounded(inputs, concurrency, (item) =>
          processItem(step, se, policy, item),
        );
        outputs = processed.filter((o) => o !== SKIPPED && o !== null);
      }
      // ---- write + commit ----
      try {
        await commit(se, rt, streams, (tx) => writeItems(step, se, policy, outputs, tx));
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

/** The read outcome: an item, `null` at the end of input, or SKIPPED. */
async function readItem(step: ChunkStep, se: StepExecution, policy: FaultPolicy): Promise<unknown> {
  const l = step.listeners;
  try {
    await notify(l, 'beforeRead');
    const item = await policy.retry(() => step.reader.read());
    if (item === null || item === undefined) return null;
    se.readCount++;
    await notify(l, 'afterRead', item);
    return item;
  } catch (error) {
    await notify(l, 'onReadError', error);
    policy.checkSkip('read', error, se);
    se.readSkipCount++;
    await notify(l, 'onSkipInRead', error);
    return SKIPPED;
  }
}

async function processItem(
  step: ChunkStep,
  se: StepExecution,
  policy: FaultPolicy,
  item: unknown,
): Promise<unknown> {
  const l = step.listeners;
  const processor = step.processor;
  if (!processor) return item;
  try {
    await notify(l, 'beforeProcess', item);
    const out = await policy.retry(() => processor.process(item));
    if (out === null || out === undefined) se.filterCount++;
    await notify(l, 'afterProcess', item, out ?? null);
    return out ?? null;
  } catch (error) {
    await notify(l, 'onProcessError', item, error);
    policy.checkSkip('process', error, se);
    se.processSkipCount++;
    await notify(l, 'onSkipInProcess', item, error);
    return SKIPPED;
  }
}

/**
 * One transaction: `work`, then the streams' positions and the counters (commitCount+1) are
 * saved with it. On failure the in-memory counters and context are put back as they were, so
 * nothing the rolled-back transaction did survives in memory either.
 */
export async function commit(
  se: StepExecution,
  rt: StepRuntime,
  streams: ItemStream[],
  work: (tx: SqlClient | undefined) => Promise<void>,
): Promise<void> {
  const counters = { writeCount: se.writeCount, commitCount: se.commitCount };
  const skips = { writeSkipCount: se.writeSkipCount, rollbackCount: se.rollbackCount };
  const savedContext = se.context;
  try {
    const result = await rt.repository.commitChunk(se, async (tx) => {
      await work(tx);
      se.context = savedContext.snapshot();
      for (const s of streams) await s.update?.(se.context);
      se.commitCount++;
    });
    if (result.status === 'STOPPING') {
      // A stop requested by the control plane: adopt the stored row so our final update wins.
      rt.jobExecution.status = 'STOPPING';
      rt.jobExecution.version = result.version;
      se.terminateOnly = true;
    }
  } catch (error) {
    Object.assign(se, counters, skips);
    se.context = savedContext;
    throw error;
  }
}

async function writeItems(
  step: ChunkStep,
  se: StepExecution,
  policy: FaultPolicy,
  items: readonly unknown[],
  tx: SqlClient | undefined,
): Promise<void> {
  if (items.length === 0) return;
  const l = step.listeners;
  try {
    await notify(l, 'beforeWrite', items);
    const write = () => step.writer.write(items, { tx, stepExecution: se });
    // In Postgres a failed statement aborts the transaction: with retries, each attempt runs under
    // a savepoint so the next one starts clean (two extra round trips, only when retry is on).
    await policy.retry(
      tx && policy.retryLimit > 0 ? () => underSavepoint(tx, 'batchyard_write', write) : write,
    );
    se.writeCount += items.length;
    await notify(l, 'afterWrite', items);
  } catch (error) {
    await notify(l, 'onWriteError', error, items);
    throw error;
  }
}

async function underSavepoint(tx: SqlClient, name: string, work: () => unknown): Promise<void> {
  await tx.query(`SAVEPOINT ${name}`);
  try {
    await work();
  } catch (error) {
    await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
    throw error;
  }
  await tx.query(`RELEASE SAVEPOINT ${name}`);
}

/** Writes the chunk's processed items one by one, isolating (skipping) the ones that fail. */
async function scan(
  step: ChunkStep,
  se: StepExecution,
  policy: FaultPolicy,
  items: readonly unknown[],
  rt: StepRuntime,
  tx: SqlClient | undefined,
): Promise<void> {
  const l = step.listeners;
  for (const item of items) {
    try {
      await notify(l, 'beforeWrite', [item]);
      const write = () => step.writer.write([item], { tx, stepExecution: se });
      // A savepoint per item: in Postgres a failed statement aborts the whole transaction otherwise.
      await (tx ? underSavepoint(tx, 'batchyard_scan', write) : write());
      se.writeCount++;
      await notify(l, 'afterWrite', [item]);
    } catch (error) {
      await notify(l, 'onWriteError', error, [item]);
      policy.checkSkip('write', error, se);
      se.writeSkipCount++;
      se.rollbackCount++;
      rt.log.warn('item skipped in write', { step: se.stepName, error: String(error) });
      await notify(l, 'onSkipInWrite', item, error);
    }
  }
}
