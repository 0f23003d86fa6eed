import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chunkStep,
  csvReader,
  csvWriter,
  FlatFileParseError,
  fixedWidthReader,
  fixedWidthWriter,
  InMemoryJobRepository,
  type ItemReader,
  type ItemStream,
  type ItemWriter,
  job,
  jsonLinesReader,
  jsonLinesWriter,
  launchJob,
  parameters,
} from '../index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'worker-io-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Row {
  id: number;
  name: string;
}

/**
 * Copies `reader` to `writer` with chunk size 2, failing once after `failAfter` items were
 * written, then restarts: the output must be the full input exactly once.
 */
async function copyWithRestart(
  reader: ItemReader<Row> & ItemStream,
  writer: ItemWriter<Row> & ItemStream,
  failAfter: number,
) {
  let written = 0;
  let fail = true;
  const repo = new InMemoryJobRepository();
  const j = job('copy')
    .start(
      chunkStep<Row, Row>('copy', {
        reader,
        processor: {
          process: (r) => {
            if (fail && written >= failAfter) throw new Error('crash');
            written++;
            return r;
          },
        },
        writer,
        chunkSize: 2,
        faultTolerance: { skip: [FlatFileParseError], skipLimit: 5 },
      }),
    )
    .build();
  expect((await launchJob(j, parameters(), { repository: repo })).status).toBe('FAILED');
  fail = false;
  const second = await launchJob(j, parameters(), { repository: repo });
  expect(second.status).toBe('COMPLETED');
  return repo.stepsOf(second.id)[0]!;
}

describe('file readers and writers restart exactly', () => {
  it('CSV → CSV with a quoted field, a malformed line and a restart', async () => {
    const input = join(dir, 'in.csv');
    const output = join(dir, 'out.csv');
    await writeFile(input, 'id,name\n1,a\n2,"b, with comma"\nx,bad\n3,"multi\nline"\n4,d\n5,e\n');
    const step = await copyWithRestart(
      csvReader({
        path: input,
        map: (r) => {
          const id = Number(r.id);
          if (!Number.isInteger(id)) throw new Error('id');
          return { id, name: r.name! };
        },
      }),
      csvWriter<Row>({ path: output, columns: ['id', 'name'] }),
      3,
    );
    expect(await readFile(output, 'utf8')).toBe(
      'id,name\n1,a\n2,"b, with comma"\n3,"multi\nline"\n4,d\n5,e\n',
    );
    expect(step.readSkipCount + step.readCount).toBeLessThan(6);
  });

  it('JSON Lines → JSON Lines', async () => {
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    const rows = Array.from({ length: 7 }, (_, i) => ({ id: i, name: `n${i}` }));
    await writeFile(input, `${rows.map((r) => JSON.stringify(r)).join('\r\n')}\n{broken\n`);
    await copyWithRestart(jsonLinesReader<Row>({ path: input }), jsonLinesWriter<Row>({ path: output }), 4);
    const out = (await readFile(output, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Row);
    expect(out).toEqual(rows);
  });

  it('fixed-width → fixed-width', async () => {
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    const columns = [
      { name: 'id', start: 0, end: 4, alignRight: true },
      { name: 'name', start: 4, end: 10 },
    ];
    await writeFile(input, 'HEADER\n   1alpha \n   2beta  \n   3\n   4gamma \n   5delta \n');
    await copyWithRestart(
      fixedWidthReader({
        path: input,
        columns,
        skipLines: 1,
        map: (r) => ({ id: Number(r.id), name: r.name! }),
      }),
      fixedWidthWriter<Row>({ path: output, columns, toRow: (r) => ({ id: r.id, name: r.name }) }),
      2,
    );
    expect(await readFile(output, 'utf8')).toBe('   1alpha \n   2beta  \n   4gamma \n   5delta \n');
  });

  it('a missing input file fails the step instead of crashing the process', async () => {
    const repo = new InMemoryJobRepository();
    const ex = await launchJob(
      job('missing')
        .start(
          chunkStep<Row, Row>('s', {
            reader: csvReader({
              path: join(dir, 'nope.csv'),
              map: (r) => ({ id: Number(r.id), name: r.name! }),
            }),
            writer: { write() {} },
            chunkSize: 2,
          }),
        )
        .build(),
      parameters(),
      { repository: repo },
    );
    expect(ex.status).toBe('FAILED');
    expect(ex.exitStatus.description).toContain('ENOENT');
  });
});
