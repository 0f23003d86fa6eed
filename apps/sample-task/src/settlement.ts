import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chunkStep,
  csvReader,
  defineJob,
  FlatFileParseError,
  type ItemWriter,
  type JobParameters,
  job,
  pgWriter,
  runIdIncrementer,
  taskletStep,
} from '@batchyard/worker';
import { generateTransactions } from './generate.js';
import { partitionedJob } from './partitioned.js';

export interface Transaction {
  id: number;
  merchant: string;
  amountCents: number;
}

interface MerchantTotal {
  merchant: string;
  count: number;
  total: number;
}

/** Raised by `failAt`: deliberately NOT skippable, so the step fails and the job can be restarted. */
export class InjectedFailure extends Error {}

export const SETTLEMENT_DDL = `CREATE TABLE IF NOT EXISTS settlement (
  run_key     VARCHAR(64) NOT NULL,
  merchant    VARCHAR(32) NOT NULL,
  tx_count    INTEGER     NOT NULL,
  total_cents BIGINT      NOT NULL,
  PRIMARY KEY (run_key, merchant)
)`;

export function parseTransaction(row: Record<string, string>): Transaction {
  const id = Number(row.id);
  const amount = row.amount_cents ?? '';
  if (!Number.isInteger(id) || id <= 0) throw new Error(`bad id '${row.id}'`);
  if (!/^\d+$/.test(amount)) throw new Error(`bad amount '${amount}'`);
  if (!row.merchant) throw new Error('missing merchant');
  return { id, merchant: row.merchant, amountCents: Number(amount) };
}

/**
 * Sums the chunk per merchant, then upserts the sums. Grouping first matters: one INSERT … ON
 * CONFLICT cannot touch the same row twice. The upsert ADDS to the stored totals, which is only
 * correct because it commits in the chunk's transaction (exactly once per chunk).
 */
function settlementWriter(): ItemWriter<Transaction> {
  // The run key is the instance's job key (identifying parameters, run.id included), known only
  // once the launch resolved them: carried with each row group below.
  const upsert = pgWriter<MerchantTotal & { runKey: string }>({
    table: 'settlement',
    columns: ['run_key', 'merchant', 'tx_count', 'total_cents'],
    toRow: (m) => [m.runKey, m.merchant, m.count, m.total],
    onConflict: {
      target: ['run_key', 'merchant'],
      update: {
        tx_count: 'settlement.tx_count + EXCLUDED.tx_count',
        total_cents: 'settlement.total_cents + EXCLUDED.total_cents',
      },
    },
  });
  return {
    async write(items, ctx) {
      const runKey = ctx.jobExecution.instance.jobKey;
      const sums = new Map<string, MerchantTotal & { runKey: string }>();
      for (const t of items) {
        const m = sums.get(t.merchant) ?? { runKey, merchant: t.merchant, count: 0, total: 0 };
        m.count++;
        m.total += t.amountCents;
        sums.set(t.merchant, m);
      }
      await upsert.write(
        [...sums.values()].sort((a, b) => a.merchant.localeCompare(b.merchant)),
        ctx,
      );
    },
  };
}

/**
 * Parameters: rows (1000), seed (1), input (a file in the temp dir named after rows and seed),
 * chunkSize (100), skipLimit (5% of rows + 10), failAt (item id that fails; pass it
 * non-identifying — `--failAt=250` — so the restart can leave it out), delayMs (per item, demos).
 * Each launch gets the next `run.id` (a new instance); the settlement rows are keyed by instance.
 */
export function settlementJob(params: JobParameters) {
  const rows = params.number('rows', 1000);
  const seed = params.number('seed', 1);
  const input = params.string('input', join(tmpdir(), `batchyard-settlement-${rows}-${seed}.csv`));
  const failAt = params.has('failAt') ? params.number('failAt') : undefined;
  const delayMs = params.number('delayMs', 0);

  const prepare = taskletStep('prepare', async ({ tx }) => {
    await tx?.query(SETTLEMENT_DDL);
    try {
      await access(input);
    } catch {
      await generateTransactions(input, rows, seed);
    }
    return 'FINISHED' as const;
  });

  const settle = chunkStep<Transaction, Transaction>('settle', {
    reader: csvReader({ path: input, map: parseTransaction }),
    processor: {
      async process(t) {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (t.id === failAt) throw new InjectedFailure(`failAt=${failAt}`);
        return t;
      },
    },
    writer: settlementWriter(),
    chunkSize: params.number('chunkSize', 100),
    faultTolerance: {
      skip: [FlatFileParseError],
      skipLimit: params.number('skipLimit', Math.ceil(rows * 0.05) + 10),
    },
  });

  // run.id = last + 1 per launch, so the quick start's launch can be repeated; a FAILED or STOPPED
  // run is relaunched with its own run.id, i.e. restarted from its last commit.
  return job('settlement').incrementer(runIdIncrementer()).start(prepare).next(settle).build();
}

export const jobs = [defineJob('settlement', settlementJob), defineJob('partitioned', partitionedJob)];
