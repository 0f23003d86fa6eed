import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChunkContext,
  chunkStep,
  classifierWriter,
  compositeWriter,
  FlatFileParseError,
  InMemoryJobRepository,
  type ItemReader,
  type ItemStream,
  type ItemWriter,
  iterableReader,
  job,
  jsonArrayReader,
  jsonArrayWriter,
  jsonLinesReader,
  jsonLinesWriter,
  ListWriter,
  launchJob,
  multiFileReader,
  parameters,
  UnclassifiedItemError,
} from '../index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'worker-io-more-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Row {
  id: number;
  name: string;
}

/** Copies reader → writer at chunk size 2, failing once after `failAfter` items, then restarts. */
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

const rows = Array.from({ length: 7 }, (_, i) => ({ id: i, name: `n${i}, "q" ]}[{` }));

describe('JSON array reader and writer', () => {
  it('copies an array with nested values, a malformed element and a restart, exactly once', async () => {
    const input = join(dir, 'in.json');
    const output = join(dir, 'out.json');
    const elements = rows.map((r) => JSON.stringify({ ...r, tags: [r.id, { deep: [] }] }, null, 1));
    elements.splice(3, 0, '{"id": nope}');
    await writeFile(input, `  [\n${elements.join(',\n')}\n]\n`);
    const step = await copyWithRestart(
      jsonArrayReader<Row>({ path: input, map: (v) => ({ id: (v as Row).id, name: (v as Row).name }) }),
      jsonArrayWriter<Row>({ path: output }),
      4,
    );
    const out = JSON.parse(await readFile(output, 'utf8')) as Row[];
    expect(out).toEqual(rows);
    expect(step.readSkipCount).toBe(0); // the bad element was skipped in the first run, before the crash
  });

  it('reads scalars and strings, an empty array, and reports the line of a malformed element', async () => {
    const scalars = join(dir, 'scalars.json');
    await writeFile(scalars, '[1, -2.5e3,true,null ,"a,]\\"b" ,\n\n {"x":[1,2]}]');
    const read: unknown[] = [];
    const r = jsonArrayReader<unknown>({ path: scalars });
    r.open(new (await import('../model/context.js')).ExecutionContext());
    for (let v = await r.read(); v !== null; v = await r.read()) read.push(v);
    await r.close();
    // null ends a read (as every reader's null does): the elements after it are not reached
    expect(read).toEqual([1, -2500, true]);

    const empty = join(dir, 'empty.json');
    await writeFile(empty, '[ ]');
    const writer = new ListWriter<unknown>();
    const repo = new InMemoryJobRepository();
    const ex = await launchJob(
      job('e')
        .start(chunkStep('e', { reader: jsonArrayReader({ path: empty }), writer, chunkSize: 2 }))
        .build(),
      parameters(),
      { repository: repo },
    );
    expect(ex.status).toBe('COMPLETED');
    expect(writer.items).toEqual([]);

    const bad = join(dir, 'bad.json');
    await writeFile(bad, '[\n{"a": 1},\n{"a": x}\n]');
    const br = jsonArrayReader<unknown>({ path: bad });
    br.open(new (await import('../model/context.js')).ExecutionContext());
    await br.read();
    const error = await br.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlatFileParseError);
    expect((error as FlatFileParseError).lineNumber).toBe(3);
    await br.close();
  });

  it('refuses a file that is not an array', async () => {
    const obj = join(dir, 'obj.json');
    await writeFile(obj, '{"a": 1}');
    const r = jsonArrayReader<unknown>({ path: obj });
    r.open(new (await import('../model/context.js')).ExecutionContext());
    await expect(r.read()).rejects.toThrow(/not a JSON array/);
    await r.close();
  });
});

describe('multi-file reader', () => {
  it('reads matching files in name order and restarts inside the file it stopped in', async () => {
    const sub = join(dir, 'parts');
    await mkdir(sub);
    await writeFile(join(sub, 'part-2.jsonl'), `${JSON.stringify(rows[3])}\n${JSON.stringify(rows[4])}\n`);
    await writeFile(
      join(sub, 'part-1.jsonl'),
      `${[0, 1, 2].map((i) => JSON.stringify(rows[i])).join('\n')}\n`,
    );
    await writeFile(
      join(sub, 'part-3.jsonl'),
      `${JSON.stringify(rows[5])}\n{bad\n${JSON.stringify(rows[6])}\n`,
    );
    await writeFile(join(sub, 'other.txt'), 'not matched');
    const output = join(dir, 'multi.jsonl');
    await copyWithRestart(
      multiFileReader<Row>({
        files: join(sub, 'part-?.jsonl'),
        reader: (path) => jsonLinesReader<Row>({ path }),
      }),
      jsonLinesWriter<Row>({ path: output }),
      4,
    );
    const out = (await readFile(output, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Row);
    expect(out).toEqual(rows);
  });

  it('an explicit list is read in its order; no match is an empty input unless strict', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    await writeFile(a, '{"id":1}\n');
    await writeFile(b, '{"id":2}\n');
    const writer = new ListWriter<unknown>();
    const run = (reader: ItemReader<unknown> & ItemStream) =>
      launchJob(
        job('m')
          .start(chunkStep('m', { reader, writer, chunkSize: 5 }))
          .build(),
        parameters(),
        {
          repository: new InMemoryJobRepository(),
        },
      );
    await run(multiFileReader({ files: [b, a], reader: (path) => jsonLinesReader({ path }) }));
    expect(writer.items).toEqual([{ id: 2 }, { id: 1 }]);
    const none = await run(
      multiFileReader({ files: join(dir, 'zzz-*.csv'), reader: (path) => jsonLinesReader({ path }) }),
    );
    expect(none.status).toBe('COMPLETED');
    const strict = await run(
      multiFileReader({
        files: join(dir, 'zzz-*.csv'),
        reader: (path) => jsonLinesReader({ path }),
        strict: true,
      }),
    );
    expect(strict.status).toBe('FAILED');
    expect(strict.exitStatus.description).toContain('no input file matches');
  });
});

describe('composite and classifier writers', () => {
  it('composite writes every delegate in order, and streams the ones that are streams', async () => {
    const calls: string[] = [];
    const a = new ListWriter<number>();
    const b: ItemWriter<number> & ItemStream = {
      open: () => void calls.push('open b'),
      update: (ctx) => ctx.put('b.seen', (ctx.getNumber('b.seen') ?? 0) + 1),
      close: () => void calls.push('close b'),
      write: (items, ctx: ChunkContext) => {
        calls.push(`b ${items.join()} after a has ${a.items.length}`);
        void ctx;
      },
    };
    const repo = new InMemoryJobRepository();
    const ex = await launchJob(
      job('c')
        .start(
          chunkStep('c', { reader: iterableReader([1, 2, 3]), writer: compositeWriter(a, b), chunkSize: 2 }),
        )
        .build(),
      parameters(),
      { repository: repo },
    );
    expect(ex.status).toBe('COMPLETED');
    expect(a.items).toEqual([1, 2, 3]);
    expect(calls).toEqual(['open b', 'b 1,2 after a has 2', 'b 3 after a has 3', 'close b']);
    expect(repo.stepsOf(ex.id)[0]!.context.get('b.seen')).toBe(2);
  });

  it('classifier routes items by key keeping their order; an unknown key fails the chunk', async () => {
    const even = new ListWriter<number>();
    const odd = new ListWriter<number>();
    const writer = classifierWriter<number, 'even' | 'odd'>({
      classify: (n) => (n % 2 ? 'odd' : 'even'),
      writers: { even, odd },
    });
    const repo = new InMemoryJobRepository();
    await launchJob(
      job('k')
        .start(chunkStep('k', { reader: iterableReader([1, 2, 3, 4, 5, 6, 7]), writer, chunkSize: 4 }))
        .build(),
      parameters(),
      { repository: repo },
    );
    expect(even.items).toEqual([2, 4, 6]);
    expect(odd.items).toEqual([1, 3, 5, 7]);

    const strict = classifierWriter<number, string>({
      classify: (n) => (n > 2 ? 'big' : 'small'),
      writers: { small: even },
    });
    const ex = await launchJob(
      job('u')
        .start(
          chunkStep('u', {
            reader: iterableReader([1, 3]),
            writer: strict,
            chunkSize: 2,
            faultTolerance: { skip: [UnclassifiedItemError] },
          }),
        )
        .build(),
      parameters(),
      { repository: repo },
    );
    expect(ex.status).toBe('COMPLETED');
    expect(repo.stepsOf(ex.id)[0]).toMatchObject({ writeCount: 1, writeSkipCount: 1 });
  });
});
