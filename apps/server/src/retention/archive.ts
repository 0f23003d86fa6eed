import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  looksSecretName,
  REDACTED,
  redactArgument,
  redactJson,
  redactText,
  redactValue,
} from '@batchyard/core';
import type { retention } from '@batchyard/db';

/**
 * What a retention run deletes, as JSON lines in one file per run (`retention-<UTC date-time>.jsonl`,
 * so the files sort and rotate by date). Each batch is appended and fsynced before its delete
 * commits: a crash can leave lines for rows that were not deleted after all, never a deleted row
 * without its line.
 */
export class RetentionArchive {
  private file: Awaited<ReturnType<typeof open>> | undefined;
  /** Whether this run wrote anything (no file is created for a run that deleted nothing). */
  written = false;
  readonly path: string;

  constructor(
    private readonly dir: string,
    private readonly runId: string,
    startedAt: Date,
  ) {
    this.path = join(dir, `retention-${startedAt.toISOString().replaceAll(':', '-')}.jsonl`);
  }

  /** Appends the batch's records and makes them durable (the file, and on creation its directory). */
  async write(batch: number, records: retention.ArchiveRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (!this.file) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.file = await open(this.path, 'a', 0o600);
      this.written = true;
      const dir = await open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }
    const lines = records
      .map((r) => JSON.stringify({ run: this.runId, batch, kind: r.kind, row: masked(r) }))
      .join('\n');
    await this.file.write(`${lines}\n`);
    await this.file.sync();
  }

  async close(): Promise<void> {
    await this.file?.close();
    this.file = undefined;
  }
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

const text = (value: unknown): unknown => (typeof value === 'string' ? redactText(value) : value);

/**
 * The row as it may leave the database: the stored arguments and properties are already masked
 * (and `sealed_launch` never selected); they are masked again here so that nothing a task, a Java
 * app or an older version wrote in clear reaches the archive.
 */
function masked(record: retention.ArchiveRecord): Record<string, unknown> {
  const row = { ...record.row };
  switch (record.kind) {
    case 'task_execution':
      delete row.sealed_launch;
      delete row.log_tail;
      row.arguments = strings(row.arguments).map(redactArgument);
      row.spring_params = strings(row.spring_params).map(redactArgument);
      row.properties = redactJson(row.properties);
      row.manifest = redactJson(row.manifest);
      for (const k of ['exit_message', 'error_message']) row[k] = text(row[k]);
      break;
    case 'job_execution':
      row.parameters = (Array.isArray(row.parameters) ? row.parameters : []).map(
        (p: Record<string, unknown>) => {
          const name = String(p.parameter_name ?? '');
          const value = p.parameter_value;
          return {
            ...p,
            parameter_value:
              typeof value !== 'string' ? value : looksSecretName(name) ? REDACTED : redactValue(name, value),
          };
        },
      );
      row.exit_message = text(row.exit_message);
      break;
    case 'step_execution':
      row.exit_message = text(row.exit_message);
      break;
  }
  return row;
}
