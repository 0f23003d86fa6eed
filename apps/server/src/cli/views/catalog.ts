import type { AppRegistration, Page, Schedule, ScheduleDetail, TaskDefinition } from '@batchyard/core';
import { ago, type Style, status, until } from '../output/style.js';
import { type Column, fields, table } from '../output/table.js';
import { pageHint } from './executions.js';

const APP_COLUMNS: readonly Column<AppRegistration>[] = [
  { header: 'TYPE', value: (a) => a.type },
  { header: 'NAME', value: (a) => a.name },
  { header: 'VERSION', value: (a) => a.version },
  { header: 'DEFAULT', value: (a) => (a.defaultVersion ? 'yes' : '') },
  { header: 'URI', value: (a) => a.uri, flex: true },
  { header: 'COMMAND', value: (a) => a.command?.join(' ') ?? '-', wide: true },
  { header: 'UPDATED', value: (a, s) => ago(s, a.updatedAt), wide: true },
];

const TASK_COLUMNS: readonly Column<TaskDefinition>[] = [
  { header: 'NAME', value: (d) => d.name },
  {
    header: 'KIND',
    value: (d) => (d.composed ? 'composed' : d.parentName ? `child of ${d.parentName}` : 'simple'),
  },
  { header: 'DEFINITION', value: (d) => d.definition, flex: true },
  { header: 'VERSION', value: (d) => String(d.version), wide: true, right: true },
  { header: 'DESCRIPTION', value: (d) => d.description ?? '', wide: true },
  { header: 'UPDATED', value: (d, s) => ago(s, d.updatedAt), wide: true },
];

const SCHEDULE_COLUMNS: readonly Column<Schedule>[] = [
  { header: 'NAME', value: (x) => x.name },
  { header: 'DEFINITION', value: (x) => x.taskDefinitionName },
  { header: 'CRON', value: (x) => x.cron },
  { header: 'TIME ZONE', value: (x) => x.timeZone ?? 'UTC' },
  {
    header: 'STATE',
    value: (x, s) => (x.suspend ? s.paint.yellow('■ suspended') : s.paint.green('● active')),
  },
  { header: 'LAST FIRE', value: (x, s) => ago(s, x.lastFireTime) },
  { header: 'PLATFORM', value: (x) => x.platformName, wide: true },
  { header: 'POLICY', value: (x) => x.concurrencyPolicy, wide: true },
  { header: 'ARGUMENTS', value: (x) => x.arguments.join(' '), wide: true, flex: true },
];

export const appList = (page: Page<AppRegistration>, style: Style, command: string) =>
  page.items.length === 0
    ? 'No apps registered.'
    : table(page.items, APP_COLUMNS, style) + pageHint(page.page, command);

export const taskList = (page: Page<TaskDefinition>, style: Style, command: string) =>
  page.items.length === 0
    ? 'No task definitions.'
    : table(page.items, TASK_COLUMNS, style) + pageHint(page.page, command);

export const scheduleList = (page: Page<Schedule>, style: Style, command: string) =>
  page.items.length === 0
    ? 'No schedules.'
    : table(page.items, SCHEDULE_COLUMNS, style) + pageHint(page.page, command);

export function appSummary(a: AppRegistration & { versions?: string[] }, style: Style): string {
  return `${style.paint.bold(`${a.type} app ${a.name}`)}   ${a.version}${a.defaultVersion ? '   (default)' : ''}\n${fields(
    [
      ['URI', a.uri],
      ['Metadata', a.metadataUri],
      ['Command', a.command?.join(' ')],
      ['Versions', a.versions?.join(', ')],
      ['Updated', ago(style, a.updatedAt)],
    ],
  )}`;
}

export function taskSummary(d: TaskDefinition, style: Style): string {
  return `${style.paint.bold(`Task ${d.name}`)}   version ${d.version}${d.composed ? '   composed' : ''}\n${fields(
    [
      ['Definition', d.definition],
      ['Description', d.description],
      ['Parent', d.parentName],
      ['Created', ago(style, d.createdAt)],
      ['Updated', ago(style, d.updatedAt)],
    ],
  )}\n\n${style.paint.dim(`Launch it: batchyard tasks launch ${d.name} --wait`)}`;
}

export function scheduleSummary(x: Schedule & Partial<ScheduleDetail>, style: Style): string {
  const state = x.suspend ? style.paint.yellow('■ suspended') : style.paint.green('● active');
  const recent = x.recentExecutions?.length
    ? x.recentExecutions
        .map((e) => `${e.id}  ${status(style, e.status)}  ${ago(style, e.createdAt)}`)
        .join('\n')
    : undefined;
  return `${style.paint.bold(`Schedule ${x.name}`)}   ${x.taskDefinitionName}   ${state}\n${fields([
    ['Cron', `${x.cron} (${x.timeZone ?? 'UTC'})`],
    ['Platform', x.platformName],
    ['Policy', x.concurrencyPolicy],
    ['Arguments', x.arguments.join(' ')],
    [
      'Properties',
      Object.entries(x.properties)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    ],
    ['CronJob', x.externalName],
    [
      'Next fires',
      x.nextFireTimes
        ?.slice(0, 3)
        .map((t) => `${t} (${until(style, t)})`)
        .join('\n'),
    ],
    ['Last fire', x.lastFireTime ? ago(style, x.lastFireTime) : 'never'],
    ['Recent runs', recent],
  ])}`;
}
