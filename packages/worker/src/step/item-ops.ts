import type { SqlClient } from '../model/api.js';
import type { StepExecution } from '../model/execution.js';
import type { ChunkStep } from '../model/step.js';
import type { FaultPolicy } from './fault-tolerance.js';
import { notify, type StepRuntime } from './runtime.js';

/** What `readItem`/`processItem` return for an item that was skipped. */
export const SKIPPED = Symbol('skipped');

/**
 * The item operations of the general chunk loop (listeners, skip, retry, concurrency): each read,
 * process and write with its listener calls and fault policy. The fast path (fast-path.ts) does the
 * same work without the listener and policy calls when a step has neither.
 */

/** The read outcome: an item, `null` at the end of input, or SKIPPED. */
export async function readItem(step: ChunkStep, se: StepExecution, policy: FaultPolicy): Promise<unknown> {
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

export async function processItem(
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

export async function writeItems(
  step: ChunkStep,
  se: StepExecution,
  rt: StepRuntime,
  policy: FaultPolicy,
  items: readonly unknown[],
  tx: SqlClient | undefined,
): Promise<void> {
  if (items.length === 0) return;
  const l = step.listeners;
  try {
    await notify(l, 'beforeWrite', items);
    const write = () => step.writer.write(items, { tx, stepExecution: se, jobExecution: rt.jobExecution });
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
export async function scan(
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
      const write = () => step.writer.write([item], { tx, stepExecution: se, jobExecution: rt.jobExecution });
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
