import type { Page, TaskExecution } from '@batchyard/core';
import { ago, elapsed, type Style, status } from '../output/style.js';
import { type Column, fields, table } from '../output/table.js';

const exit = (e: TaskExecution) => (e.exitCode === null ? '-' : String(e.exitCode));

export const EXECUTION_COLUMNS: readonly Column<TaskExecution>[] = [
  { header: 'ID', value: (e) => String(e.id), right: true },
  { header: 'TASK', value: (e) => e.taskName },
  { header: 'STATUS', value: (e, s) => status(s, e.status) },
  { header: 'EXIT', value: exit, right: true },
  { header: 'PLATFORM', value: (e) => e.platformName ?? '-' },
  { header: 'STARTED', value: (e, s) => ago(s, e.startTime ?? e.createdAt) },
  { header: 'DURATION', value: (e, s) => elapsed(s, e.startTime, e.endTime) },
  { header: 'JOBS', value: (e) => e.jobExecutionIds.join(',') || '-', wide: true },
  {
    header: 'PARENT',
    value: (e) => (e.parentExecutionId === null ? '-' : String(e.parentExecutionId)),
    wide: true,
  },
  { header: 'SCHEDULE', value: (e) => e.scheduleName ?? '-', wide: true },
  { header: 'EXTERNAL ID', value: (e) => e.externalExecutionId ?? '-', wide: true },
  {
    header: 'MESSAGE',
    value: (e) => e.reason ?? e.errorMessage ?? e.exitMessage ?? '',
    flex: true,
  },
];

/** The next page's command, when there is one: ids and cursors come from the output, never guessed. */
export function pageHint(page: Page<unknown>['page'], command: string): string {
  return page.next ? `\n\nMore: batchyard ${command} --cursor ${page.next}` : '';
}

export function executionList(page: Page<TaskExecution>, style: Style, command: string): string {
  if (page.items.length === 0) return 'No task executions.';
  return table(page.items, EXECUTION_COLUMNS, style) + pageHint(page.page, command);
}

/** One execution: its status line, then the facts a person asks first. */
export function executionSummary(e: TaskExecution, style: Style): string {
  const head = `${style.paint.bold(`Execution ${e.id}`)}   ${e.taskName}   ${status(style, e.status)}${
    e.exitCode === null ? '' : `   exit ${e.exitCode}`
  }`;
  const body = fields([
    ['Arguments', e.arguments.length ? e.arguments.join(' ') : undefined],
    [
      'Properties',
      Object.keys(e.properties).length
        ? Object.entries(e.properties)
            .map(([k, v]) => `${k}=${v}`)
            .join('\n')
        : undefined,
    ],
    ['Platform', e.platformName ? `${e.platformName} (${e.platformType ?? '?'})` : undefined],
    ['External id', e.externalExecutionId],
    ['Parent', e.parentExecutionId === null ? undefined : String(e.parentExecutionId)],
    ['Schedule', e.scheduleName],
    ['Queue position', e.queuePosition === null ? undefined : String(e.queuePosition)],
    ['Created', ago(style, e.createdAt)],
    ['Started', e.startTime ? ago(style, e.startTime) : undefined],
    ['Duration', e.startTime ? elapsed(style, e.startTime, e.endTime) : undefined],
    ['Reason', e.reason],
    ['Exit message', e.exitMessage],
    ['Error', e.errorMessage],
    ['Job executions', e.jobExecutionIds.length ? e.jobExecutionIds.join(', ') : undefined],
  ]);
  return `${head}\n${body}`;
}

/** After a launch: what was started and the commands that follow it, with its real id. */
export function launched(e: TaskExecution, style: Style): string {
  return `${executionSummary(e, style)}\n\n${style.paint.dim(
    `Wait for it: batchyard executions wait ${e.id}\nIts log:     batchyard executions logs ${e.id} --follow`,
  )}`;
}

export function executionIds(list: readonly TaskExecution[], verb: string, style: Style): string {
  return list.map((e) => `${verb} execution ${e.id} (${e.taskName}): ${status(style, e.status)}`).join('\n');
}
