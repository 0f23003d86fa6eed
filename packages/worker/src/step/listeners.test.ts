import { describe, expect, it } from 'vitest';
import {
  chunkStep,
  ExitStatus,
  InMemoryJobRepository,
  iterableReader,
  job,
  launchJob,
  OptimisticLockingError,
  parameters,
  type StepListener,
} from '../index.js';

class Bad extends Error {}

describe('listeners', () => {
  it('are called at job, step, chunk, item and skip level, in order', async () => {
    const events: string[] = [];
    const listener: StepListener<number, number> = {
      beforeStep: () => void events.push('beforeStep'),
      afterStep: (se) => {
        events.push(`afterStep:${se.status}`);
        return se.writeSkipCount + se.readSkipCount > 0 ? new ExitStatus('COMPLETED WITH SKIPS') : undefined;
      },
      beforeChunk: () => void events.push('beforeChunk'),
      afterChunk: () => void events.push('afterChunk'),
      onChunkError: () => void events.push('onChunkError'),
      afterRead: (i) => void events.push(`read:${i}`),
      onReadError: () => void events.push('readError'),
      afterProcess: (i, o) => void events.push(`process:${i}->${o}`),
      beforeWrite: (items) => void events.push(`beforeWrite:${items.join(',')}`),
      afterWrite: (items) => void events.push(`afterWrite:${items.join(',')}`),
      onWriteError: (_e, items) => void events.push(`writeError:${items.join(',')}`),
      onSkipInRead: () => void events.push('skipRead'),
      onSkipInProcess: (i) => void events.push(`skipProcess:${i}`),
      onSkipInWrite: (i) => void events.push(`skipWrite:${i}`),
    };
    let reads = 0;
    const data = [1, 2, 3];
    const j = job('listened')
      .listener({
        beforeJob: () => void events.push('beforeJob'),
        afterJob: (e) => void events.push(`afterJob:${e.status}`),
      })
      .start(
        chunkStep<number, number>('s', {
          reader: {
            read: () => {
              if (reads++ === 1) throw new Bad('unreadable');
              return data.shift() ?? null;
            },
          },
          processor: {
            process: (n) => {
              if (n === 2) throw new Bad('p');
              return n;
            },
          },
          writer: {
            write: (items) => {
              if (items.includes(3)) throw new Bad('w');
            },
          },
          chunkSize: 10,
          listeners: [listener as StepListener],
          faultTolerance: { skip: [Bad] },
        }),
      )
      .build();
    const ex = await launchJob(j, parameters(), { repository: new InMemoryJobRepository() });
    expect(ex.exitStatus.code).toBe('COMPLETED WITH SKIPS');
    expect(events).toEqual([
      'beforeJob',
      'beforeStep',
      'beforeChunk',
      'read:1',
      'readError',
      'skipRead',
      'read:2',
      'read:3',
      'process:1->1',
      'skipProcess:2',
      'process:3->3',
      'beforeWrite:1,3',
      'writeError:1,3',
      'onChunkError',
      'beforeWrite:1',
      'afterWrite:1',
      'beforeWrite:3',
      'writeError:3',
      'skipWrite:3',
      'afterChunk',
      'afterStep:COMPLETED',
      'afterJob:COMPLETED',
    ]);
  });
});

describe('optimistic locking', () => {
  it('refuses an update from a stale copy of a step execution', async () => {
    const repo = new InMemoryJobRepository();
    const ex = await launchJob(
      job('v')
        .start(
          chunkStep<number, number>('s', {
            reader: iterableReader([1]),
            writer: { write() {} },
            chunkSize: 1,
          }),
        )
        .build(),
      parameters(),
      { repository: repo },
    );
    const stale = repo.stepsOf(ex.id)[0]!;
    await repo.updateStepExecution({ ...stale, context: stale.context.clone() });
    await expect(repo.updateStepExecution(stale)).rejects.toBeInstanceOf(OptimisticLockingError);
  });
});
