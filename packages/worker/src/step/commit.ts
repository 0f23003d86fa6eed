import type { ItemStream, SqlClient } from '../model/api.js';
import type { StepExecution } from '../model/execution.js';
import type { StepRuntime } from './runtime.js';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * One transaction: `work`, then the streams' positions and the counters (commitCount+1) are
 * saved with it. On failure the in-memory counters and context are put back as they were, so
 * nothing the rolled-back transaction did survives in memory either.
 *
 * The counters are saved in locals and the context is checkpointed copy-on-write: a commit whose
 * streams moved no position copies nothing (this runs once per chunk, on the hot path).
 */
export async function commit(
  se: StepExecution,
  rt: StepRuntime,
  streams: readonly ItemStream[],
  work: (tx: SqlClient | undefined) => Promise<void> | void,
): Promise<void> {
  const writeCount = se.writeCount;
  const commitCount = se.commitCount;
  const writeSkipCount = se.writeSkipCount;
  const rollbackCount = se.rollbackCount;
  const context = se.context;
  context.checkpoint();
  try {
    // Inside the transaction: the work, the streams' positions, commitCount+1. While all of them
    // return plain values nothing is awaited (an already-resolved promise goes back): each await is
    // a microtask, and this runs once per chunk.
    const finish = async (pending: Promise<void> | void, from: number): Promise<void> => {
      await pending;
      for (let i = from; i < streams.length; i++) await streams[i]!.update?.(context);
      se.commitCount++;
    };
    const result = await rt.repository.commitChunk(se, (tx) => {
      const done = work(tx);
      if (done) return finish(done, 0);
      for (let i = 0; i < streams.length; i++) {
        const updated = streams[i]!.update?.(context);
        if (updated) return finish(updated, i + 1);
      }
      se.commitCount++;
      return RESOLVED;
    });
    context.commitCheckpoint();
    if (result.status === 'STOPPING') {
      // A stop requested by the control plane: adopt the stored row so our final update wins.
      rt.jobExecution.status = 'STOPPING';
      rt.jobExecution.version = result.version;
      se.terminateOnly = true;
    }
  } catch (error) {
    se.writeCount = writeCount;
    se.commitCount = commitCount;
    se.writeSkipCount = writeSkipCount;
    se.rollbackCount = rollbackCount;
    se.context = context;
    context.restoreCheckpoint();
    throw error;
  }
}
