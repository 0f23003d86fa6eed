import type { JobExecution, JobExecutionDetail, Page, StepExecution, StepProgress } from '@batchyard/core';
import { ago, elapsed, type Style, status } from '../output/style.js';
import { type Column, fields, table } from '../output/table.js';
import { pageHint } from './executions.js';

const JOB_COLUMNS: readonly Column<JobExecution>[] = [
  { header: 'ID', value: (j) => String(j.id), right: true },
  { header: 'JOB', value: (j) => j.jobName },
  { header: 'STATUS', value: (j, s) => status(s, j.status) },
  { header: 'EXIT', value: (j) => j.exitCode },
  {
    header: 'TASK EXECUTION',
    value: (j) => (j.taskExecutionId === null ? '-' : String(j.taskExecutionId)),
    right: true,
  },
  { header: 'STEPS', value: (j) => String(j.stepExecutionCount), right: true },
  { header: 'STARTED', value: (j, s) => ago(s, j.startTime ?? j.createTime) },
  { header: 'DURATION', value: (j, s) => elapsed(s, j.startTime, j.endTime) },
  { header: 'INSTANCE', value: (j) => String(j.jobInstanceId), wide: true, right: true },
  {
    header: 'ACTIONS',
    value: (j) =>
      [j.restartable && 'restart', j.stoppable && 'stop', j.abandonable && 'abandon']
        .filter(Boolean)
        .join(',') || '-',
    wide: true,
  },
  { header: 'MESSAGE', value: (j) => j.exitMessage, flex: true, wide: true },
];

const STEP_COLUMNS: readonly Column<StepExecution>[] = [
  { header: 'ID', value: (x) => String(x.id), right: true },
  { header: 'STEP', value: (x) => x.stepName },
  { header: 'STATUS', value: (x, s) => status(s, x.status) },
  { header: 'READ', value: (x) => String(x.readCount), right: true },
  { header: 'WRITTEN', value: (x) => String(x.writeCount), right: true },
  { header: 'COMMITS', value: (x) => String(x.commitCount), right: true },
  { header: 'SKIPPED', value: (x) => String(x.skipCount), right: true },
  { header: 'FILTERED', value: (x) => String(x.filterCount), right: true, wide: true },
  { header: 'ROLLBACKS', value: (x) => String(x.rollbackCount), right: true, wide: true },
  { header: 'DURATION', value: (x, s) => elapsed(s, x.startTime, x.endTime) },
  { header: 'EXIT', value: (x) => x.exitCode, wide: true },
];

export function jobList(page: Page<JobExecution>, style: Style, command: string): string {
  if (page.items.length === 0) return 'No job executions.';
  return table(page.items, JOB_COLUMNS, style) + pageHint(page.page, command);
}

export function stepTable(steps: readonly StepExecution[], style: Style): string {
  return steps.length === 0 ? 'No step executions.' : table(steps, STEP_COLUMNS, style);
}

export function jobSummary(j: JobExecutionDetail, style: Style): string {
  const head = `${style.paint.bold(`Job execution ${j.id}`)}   ${j.jobName}   ${status(style, j.status)}   exit ${j.exitCode}`;
  const actions = [j.restartable && 'restart', j.stoppable && 'stop', j.abandonable && 'abandon'].filter(
    Boolean,
  );
  const body = fields([
    ['Task execution', j.taskExecutionId === null ? undefined : String(j.taskExecutionId)],
    ['Instance', String(j.jobInstanceId)],
    [
      'Parameters',
      j.parameters.length
        ? j.parameters
            .map((p) => `${p.name}=${p.value}${p.identifying ? '' : ' (non-identifying)'}`)
            .join('\n')
        : undefined,
    ],
    ['Started', ago(style, j.startTime ?? j.createTime)],
    ['Duration', elapsed(style, j.startTime, j.endTime)],
    ['Exit message', j.exitMessage],
    ['Actions', actions.length ? actions.map((a) => `batchyard jobs ${a} ${j.id}`).join('\n') : undefined],
  ]);
  return `${head}\n${body}\n\n${stepTable(j.steps, style)}`;
}

export function stepSummary(p: StepProgress, style: Style): string {
  const x = p.stepExecution;
  const h = p.stepExecutionHistory;
  const head = `${style.paint.bold(`Step execution ${x.id}`)}   ${x.stepName}   ${status(style, x.status)}`;
  const rate = p.duration > 0 ? Math.round((x.readCount * 1000) / p.duration) : 0;
  const body = fields([
    ['Job execution', `${x.jobExecutionId} (${x.jobName})`],
    [
      'Progress',
      `${Math.round(Math.min(1, p.percentageComplete) * 100)}% (estimated from ${p.percentCompleteBasis})`,
    ],
    ['Read', `${x.readCount} (${rate} items/s)`],
    ['Written', String(x.writeCount)],
    ['Commits', `${x.commitCount} (${x.rollbackCount} rollbacks)`],
    [
      'Skipped',
      `${x.skipCount} (read ${x.readSkipCount}, process ${x.processSkipCount}, write ${x.writeSkipCount})`,
    ],
    ['Filtered', String(x.filterCount)],
    ['Duration', elapsed(style, x.startTime, x.endTime)],
    ['Exit', `${x.exitCode}${x.exitMessage ? ` ${x.exitMessage}` : ''}`],
    [
      'History',
      h.count === 0
        ? 'no finished runs yet'
        : `${h.count} finished runs; mean ${Math.round(h.readCount.mean)} read in ${Math.round(h.duration.mean)} ms`,
    ],
  ]);
  return `${head}\n${body}`;
}
