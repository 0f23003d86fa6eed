import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chunkStep,
  controlPlanePartitionHandler,
  csvReader,
  FlatFileParseError,
  type ItemReader,
  type JobParameters,
  job,
  partitionStep,
  pgWriter,
  runIdIncrementer,
  taskletStep,
} from '@batchyard/worker';
import { generateTransactions } from './generate.js';
import { hogMemory } from './memory-hog.js';
import { InjectedFailure, parseTransaction, type Transaction } from './settlement.js';

export const PARTITIONED_DDL = `CREATE TABLE IF NOT EXISTS partitioned_tx (
  run_key      VARCHAR(64) NOT NULL,
  id           INTEGER     NOT NULL,
  merchant     VARCHAR(32) NOT NULL,
  amount_cents BIGINT      NOT NULL,
  PRIMARY KEY (run_key, id)
)`;

/** Even id ranges `[lo, hi]` over 1..rows, one per partition. */
export function idRanges(rows: number, gridSize: number): Record<string, { lo: number; hi: number }> {
  const size = Math.ceil(rows / gridSize);
  const out: Record<string, { lo: number; hi: number }> = {};
  for (let i = 0; i < gridSize && i * size < rows; i++) {
    out[`p${i}`] = { lo: i * size + 1, hi: Math.min(rows, (i + 1) * size) };
  }
  return out;
}

const OUTSIDE = Symbol('outside the partition');

/**
 * The remote-partition sample: the same generated transactions as `settlement`, split by id range;
 * each partition runs as its own task execution (a Kubernetes Job, or a local process) launched
 * through the control plane, and inserts its transactions into `partitioned_tx` in its chunks'
 * transactions. The insert has no ON CONFLICT: a transaction written twice would fail the chunk,
 * so the row count proves every one was written exactly once, across failures and restarts.
 *
 * Parameters as `settlement` (rows, seed, input, chunkSize, failAt, delayMs) plus partitions (4),
 * partitionTimeoutSeconds (3600) and the fault injection hogPartition (a partition name, `p1`) with
 * hogMb (1024): that partition, after its first committed chunk, takes hogMb MiB and holds them, so
 * a partition memory limit below that OOM-kills it. Give it non-identifying (`--hogPartition=p1`):
 * a restart is a launch with the same identifying parameters, and leaves it out.
 */
export function partitionedJob(params: JobParameters) {
  const rows = params.number('rows', 1000);
  const seed = params.number('seed', 1);
  const input = params.string('input', join(tmpdir(), `batchyard-settlement-${rows}-${seed}.csv`));
  const failAt = params.has('failAt') ? params.number('failAt') : undefined;
  const delayMs = params.number('delayMs', 0);
  const hogPartition = params.has('hogPartition') ? params.string('hogPartition') : undefined;
  const hogMb = params.number('hogMb', 1024);
  const chunkSize = params.number('chunkSize', 100);

  const prepare = taskletStep('prepare', async ({ tx }) => {
    await tx?.query(PARTITIONED_DDL);
    try {
      await access(input);
    } catch {
      await generateTransactions(input, rows, seed);
    }
    return 'FINISHED' as const;
  });

  const settle = partitionStep('settle', {
    gridSize: params.number('partitions', 4),
    partitioner: (n) => idRanges(rows, n),
    worker: (ctx, partition) => {
      // The first item past one chunk: the partition has committed a chunk, which its restart keeps.
      let hogAt = partition === hogPartition ? chunkSize + 1 : 0;
      const lo = ctx.getNumber('lo');
      const hi = ctx.getNumber('hi');
      const file = csvReader<Transaction | typeof OUTSIDE>({
        path: input,
        // The range first: a malformed line of another partition is that partition's skip.
        map: (r) => {
          const id = Number(r.id);
          return id >= lo && id <= hi ? parseTransaction(r) : OUTSIDE;
        },
      });
      const reader: ItemReader<Transaction> = {
        async read() {
          for (;;) {
            const item = await file.read();
            if (item !== OUTSIDE) return item;
          }
        },
      };
      return chunkStep<Transaction, Transaction>('settle', {
        reader,
        streams: [file],
        processor: {
          async process(t) {
            if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
            if (t.id === failAt) throw new InjectedFailure(`failAt=${failAt}`);
            if (hogAt > 0 && --hogAt === 0) await hogMemory(hogMb);
            return t;
          },
        },
        writer: {
          write: (items, c) =>
            pgWriter<Transaction>({
              table: 'partitioned_tx',
              columns: ['run_key', 'id', 'merchant', 'amount_cents'],
              toRow: (t) => [c.jobExecution.instance.jobKey, t.id, t.merchant, t.amountCents],
            }).write(items, c),
        },
        chunkSize,
        faultTolerance: { skip: [FlatFileParseError], skipLimit: Math.ceil(rows * 0.05) + 10 },
      });
    },
    handler: controlPlanePartitionHandler({
      timeoutMs: params.number('partitionTimeoutSeconds', 3600) * 1000,
    }),
  });

  return job('partitioned').incrementer(runIdIncrementer()).start(prepare).next(settle).build();
}
