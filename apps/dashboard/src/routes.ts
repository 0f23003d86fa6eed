import type { FunctionComponent } from 'preact';
import { AboutPage } from './pages/about.js';
import { AppsPage } from './pages/apps.js';
import { AuditPage } from './pages/audit.js';
import { DefinitionDetail } from './pages/definition-detail.js';
import { DefinitionEditor } from './pages/definition-editor.js';
import { DefinitionsList } from './pages/definitions.js';
import { ExecutionDetail } from './pages/execution-detail.js';
import { ExecutionsList } from './pages/executions.js';
import { JobDetail } from './pages/job-detail.js';
import { JobsList } from './pages/jobs.js';
import { LaunchPage } from './pages/launch.js';
import { NotFound } from './pages/not-found.js';
import { Overview } from './pages/overview.js';
import { ScheduleEditor } from './pages/schedule-editor.js';
import { ScheduleDetailPage, SchedulesList } from './pages/schedules.js';
import { StepDetail } from './pages/step-detail.js';
import type { Location } from './router.js';

export type PageProps = { params: Record<string, string>; loc: Location };

/** Every dashboard URL, first match wins. */
export const routes: [string, FunctionComponent<PageProps>][] = [
  ['/', Overview],
  ['/ui/definitions', DefinitionsList],
  ['/ui/definitions/new', DefinitionEditor],
  ['/ui/definitions/:name', DefinitionDetail],
  ['/ui/definitions/:name/edit', DefinitionEditor],
  ['/ui/launch/:name', LaunchPage],
  ['/ui/executions', ExecutionsList],
  ['/ui/executions/:id', ExecutionDetail],
  ['/ui/jobs', JobsList],
  ['/ui/jobs/:id', JobDetail],
  ['/ui/jobs/:id/steps/:stepId', StepDetail],
  ['/ui/schedules', SchedulesList],
  ['/ui/schedules/new', ScheduleEditor],
  ['/ui/schedules/:name', ScheduleDetailPage],
  ['/ui/schedules/:name/edit', ScheduleEditor],
  ['/ui/apps', AppsPage],
  ['/ui/audit', AuditPage],
  ['/ui/about', AboutPage],
  ['/ui/*', NotFound],
];

/**
 * Pages whose first render needs the caller (its platform accounts, roles or identity): shown only
 * once /about has answered. The others start their own API calls beside /about, hidden until it has.
 */
export const NEEDS_CALLER: ReadonlySet<FunctionComponent<PageProps>> = new Set([
  LaunchPage,
  ScheduleEditor,
  AboutPage,
  AuditPage,
]);
