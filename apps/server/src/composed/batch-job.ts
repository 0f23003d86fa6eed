import { prefixSql, type SpringTablePrefixes, type TaskStatus } from '@batchyard/core';
import { composedJob, type Db, executions } from '@batchyard/db';
import { storedRequest } from './rows.js';
import { RESTART_OF } from './state.js';

type Row = executions.TaskExecution;

// A composed run as the batch job SCDF's composed task runner showed (packages/db composed-job.ts):
// the pure mapping of execution statuses to Spring Batch's, and the sync the orchestrator calls
// after every advance.

/** Spring Batch's status and exit code for a Batchyard execution status. */
export function batchStatusOf(status: TaskStatus): { status: string; exitCode: string } {
  switch (status) {
    case 'COMPLETE':
      return { status: 'COMPLETED', exitCode: 'COMPLETED' };
    case 'FAILED':
    case 'LOST':
      return { status: 'FAILED', exitCode: 'FAILED' };
    case 'STOPPED':
      return { status: 'STOPPED', exitCode: 'STOPPED' };
    case 'STOPPING':
      return { status: 'STOPPING', exitCode: 'EXECUTING' };
    case 'QUEUED':
    case 'LAUNCHING':
      return { status: 'STARTING', exitCode: 'EXECUTING' };
    default:
      return { status: 'STARTED', exitCode: 'EXECUTING' };
  }
}

/** A finished child's step exit code is its exit message, as the runner's step ended on it. */
function stepOf(child: Row): composedJob.ComposedStepRow {
  const { status, exitCode } = batchStatusOf(child.status as TaskStatus);
  const ended = child.endTime !== null;
  return {
    name: child.taskName,
    status,
    exitCode: ended && child.exitMessage ? child.exitMessage.slice(0, 2500) : exitCode,
    exitMessage: child.errorMessage ?? '',
    startTime: child.startTime ?? child.createdAt,
    endTime: child.endTime,
  };
}

/** The first execution of a restart chain (its id is the job instance's run.id). */
async function rootOf(db: Db, parent: Row): Promise<number> {
  let row = parent;
  for (let depth = 0; depth < 100; depth++) {
    const previous = Number(storedRequest(row).properties[RESTART_OF]);
    if (!Number.isInteger(previous)) break;
    const found = await executions.findExecution(db, previous);
    if (!found) return previous;
    row = found;
  }
  return row.id;
}

export async function syncComposedBatchJob(
  db: Db,
  parent: Row,
  children: readonly Row[],
  prefixes: Readonly<SpringTablePrefixes>,
): Promise<number> {
  const { status, exitCode } = batchStatusOf(parent.status as TaskStatus);
  const seq = (name: string) => prefixSql(name, prefixes);
  return composedJob.syncComposedJob(
    db,
    {
      executionId: parent.id,
      jobName: parent.taskName,
      runId: await rootOf(db, parent),
      status,
      exitCode,
      exitMessage: parent.endTime ? (parent.exitMessage ?? '') : '',
      startTime: parent.startTime,
      endTime: parent.endTime,
      steps: [...children].sort((a, b) => a.id - b.id).map(stepOf),
    },
    {
      jobInstance: seq('batch_job_seq'),
      jobExecution: seq('batch_job_execution_seq'),
      stepExecution: seq('batch_step_execution_seq'),
    },
  );
}
