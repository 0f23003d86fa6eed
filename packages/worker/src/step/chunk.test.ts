import { describe, expect, it } from 'vitest';
import { chunkStep, ExitStatus, InMemoryJobRepository, job, launchJob, parameters } from '../index.js';
import { iterableReader, ListWriter } from '../io/memory.js';

class ParseError extends Error {}
class WriteError extends Error {}

/** Reader over lines; a line starting with '!' is unparsable. */
function lineReader(lines: string[]) {
  let i = 0;
  return {
    read(): string | null {
      if (i >= lines.length) return null;
      const line = lines[i++]!;
      if (line.startsWith('!')) throw new ParseError(`bad line ${i}`);
      return line;
    },
  };
}

class FailingWriter extends ListWriter<string> {
  override write(items: readonly string[]): void {
    if (items.some((x) => x.startsWith('x'))) throw new WriteError('unwritable');
    super.write(items);
  }
}

const counts = (s: {
  readCount: number;
  writeCount: number;
  commitCount: number;
  rollbackCount: number;
  readSkipCount: number;
  writeSkipCount: number;
  processSkipCount: number;
  filterCount: number;
}) => ({
  read: s.readCount,
  write: s.writeCount,
  commit: s.commitCount,
  rollback: s.rollbackCount,
  readSkip: s.readSkipCount,
  writeSkip: s.writeSkipCount,
  processSkip: s.processSkipCount,
  filter: s.filterCount,
});

describe('chunk step counters (Spring Batch 6 semantics)', () => {
  it('chunk 2, 6 lines, 2 unparsable, 1 unwritable → read 4 write 3 commit 2 rollback 2', async () => {
    // Slots: [a b] [!1 !2] [c x]. A skipped read uses its slot (SB6 ChunkOrientedStep.readChunk),
    // so the middle chunk is empty: not written, not committed. The last chunk's write fails
    // (rollback 1), the scan writes c and skips x (rollback 2) and commits once (commit 2).
    const writer = new FailingWriter();
    const step = chunkStep('s', {
      reader: lineReader(['a', 'b', '!1', '!2', 'c', 'x']),
      writer,
      chunkSize: 2,
      faultTolerance: { skipLimit: 3, skip: [ParseError, WriteError] },
    });
    const repo = new InMemoryJobRepository();
    const ex = await launchJob(job('j').start(step).build(), parameters({ run: 1 }), { repository: repo });
    expect(ex.status).toBe('COMPLETED');
    const se = repo.stepsOf(ex.id)[0]!;
    expect(counts(se)).toEqual({
      read: 4,
      write: 3,
      commit: 2,
      rollback: 2,
      readSkip: 2,
      writeSkip: 1,
      processSkip: 0,
      filter: 0,
    });
    expect(writer.items).toEqual(['a', 'b', 'c']);
  });

  it('fails the step when the skip limit is exceeded', async () => {
    const step = chunkStep('s', {
      reader: lineReader(['a', '!1', '!2', 'b']),
      writer: new ListWriter<string>(),
      chunkSize: 10,
      faultTolerance: { skipLimit: 1, skip: [ParseError] },
    });
    const repo = new InMemoryJobRepository();
    const ex = await launchJob(job('j').start(step).build(), parameters(), { repository: repo });
    expect(ex.status).toBe('FAILED');
    expect(ex.exitStatus.code).toBe(ExitStatus.FAILED.code);
    expect(ex.exitStatus.description).toContain('skip limit 1 exceeded');
    const se = repo.stepsOf(ex.id)[0]!;
    expect(se.status).toBe('FAILED');
    expect(se.readSkipCount).toBe(1);
  });

  it('counts filtered items and process skips', async () => {
    const writer = new ListWriter<number>();
    const step = chunkStep<number, number>('s', {
      reader: iterableReader([1, 2, 3, 4, 5, 6, 7]),
      processor: {
        process: (n) => {
          if (n === 5) throw new ParseError('five');
          return n % 2 === 0 ? null : n * 10;
        },
      },
      writer,
      chunkSize: 3,
      faultTolerance: { skip: [ParseError] },
    });
    const repo = new InMemoryJobRepository();
    const ex = await launchJob(job('j').start(step).build(), parameters(), { repository: repo });
    const se = repo.stepsOf(ex.id)[0]!;
    expect(counts(se)).toMatchObject({
      read: 7,
      write: 3,
      filter: 3,
      processSkip: 1,
      commit: 3,
      rollback: 0,
    });
    expect(writer.items).toEqual([10, 30, 70]);
  });
});
