import { isComposedTask, parseComposedTask, referencedApps } from '@batchyard/dsl';
import type { ScdfApp, ScdfDefinition, ScdfExport, ScdfSchedule } from './scdf-source.js';

// Pure: what importing an SCDF server's content into Batchyard does, given what Batchyard already
// has. Every SCDF item ends up in exactly one of: a create, a skip (already there, the same), or a
// "not carried over" with the reason. Running the plan twice gives only skips (idempotent).

export type Kind = 'app' | 'definition' | 'schedule';

export interface Action {
  kind: Kind;
  name: string;
  method: 'POST';
  path: string;
  body: Record<string, unknown>;
}

export interface Skipped {
  kind: Kind;
  name: string;
  reason: string;
}

export interface ImportPlan {
  create: Action[];
  unchanged: Skipped[];
  notCarriedOver: Skipped[];
}

export interface Existing {
  apps: { type: string; name: string; version: string; uri: string }[];
  definitions: { name: string; definition: string }[];
  schedules: { name: string; taskDefinitionName: string; cron: string }[];
}

/** Where SCDF's schedulers put the cron expression of a schedule. */
const CRON_KEYS = [
  'spring.cloud.scheduler.cron.expression',
  'spring.cloud.deployer.cron.expression',
  'scheduler.cron.expression',
  'cron.expression',
];

const VERSION_RE = /:([^:/@]+)$/;

function versionOf(app: ScdfApp): string {
  return app.version ?? VERSION_RE.exec(app.uri)?.[1] ?? '1.0.0';
}

function appActions(apps: ScdfApp[], existing: Existing, plan: ImportPlan): void {
  for (const app of apps) {
    const version = versionOf(app);
    const name = `${app.type}:${app.name}:${version}`;
    if (app.type !== 'task') {
      plan.notCarriedOver.push({
        kind: 'app',
        name,
        reason: `a ${app.type} app: Batchyard runs tasks and batch jobs, not streams`,
      });
      continue;
    }
    const same = existing.apps.find((a) => a.type === 'task' && a.name === app.name && a.version === version);
    if (same) {
      if (same.uri === app.uri)
        plan.unchanged.push({ kind: 'app', name, reason: 'registered with the same URI' });
      else
        plan.notCarriedOver.push({
          kind: 'app',
          name,
          reason: `already registered with another URI (${same.uri}); left as it is`,
        });
      continue;
    }
    plan.create.push({
      kind: 'app',
      name,
      method: 'POST',
      path: `/apps/task/${encodeURIComponent(app.name)}/${encodeURIComponent(version)}`,
      body: {
        uri: app.uri,
        ...(app.metaDataUri ? { metadataUri: app.metaDataUri } : {}),
        ...(app.defaultVersion ? { makeDefault: true } : {}),
      },
    });
  }
}

/** Composed definitions naming other definitions come after those (nesting); simple ones first. */
function ordered(defs: ScdfDefinition[]): ScdfDefinition[] {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const out: ScdfDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (d: ScdfDefinition): void => {
    if (state.get(d.name)) return;
    state.set(d.name, 'visiting');
    if (isComposedTask(d.dslText)) {
      try {
        for (const ref of referencedApps(parseComposedTask(d.dslText))) {
          const dep = byName.get(ref.name);
          if (dep && !state.get(dep.name)) visit(dep);
        }
      } catch {
        // a DSL Batchyard cannot parse: the server says why when it is created
      }
    }
    state.set(d.name, 'done');
    out.push(d);
  };
  for (const d of defs) visit(d);
  return out;
}

function definitionActions(defs: ScdfDefinition[], existing: Existing, plan: ImportPlan): void {
  // SCDF lists the children of a composed definition (`<parent>-<label>`) as definitions of their
  // own; Batchyard creates them with the parent, so they are not imported separately.
  const composedNames = defs.filter((d) => d.composed || isComposedTask(d.dslText)).map((d) => d.name);
  for (const def of ordered(defs)) {
    const child = def.composedTaskElement || composedNames.some((p) => def.name.startsWith(`${p}-`));
    if (child) {
      plan.unchanged.push({
        kind: 'definition',
        name: def.name,
        reason: 'a composed task child: created with its parent',
      });
      continue;
    }
    const same = existing.definitions.find((d) => d.name === def.name);
    if (same) {
      if (same.definition.trim() === def.dslText.trim())
        plan.unchanged.push({ kind: 'definition', name: def.name, reason: 'defined with the same DSL' });
      else
        plan.notCarriedOver.push({
          kind: 'definition',
          name: def.name,
          reason: `already defined as '${same.definition}'; left as it is`,
        });
      continue;
    }
    plan.create.push({
      kind: 'definition',
      name: def.name,
      method: 'POST',
      path: '/tasks/definitions',
      body: {
        name: def.name,
        definition: def.dslText,
        ...(def.description ? { description: def.description } : {}),
      },
    });
  }
}

function scheduleActions(schedules: ScdfSchedule[], existing: Existing, plan: ImportPlan): void {
  for (const s of schedules) {
    const props = s.scheduleProperties ?? {};
    const cronKey = CRON_KEYS.find((k) => props[k] !== undefined);
    if (!cronKey) {
      plan.notCarriedOver.push({
        kind: 'schedule',
        name: s.scheduleName,
        reason: 'no cron expression in its properties',
      });
      continue;
    }
    const cron = props[cronKey]!.trim();
    const same = existing.schedules.find((x) => x.name === s.scheduleName);
    if (same) {
      if (same.cron === cron && same.taskDefinitionName === s.taskDefinitionName)
        plan.unchanged.push({ kind: 'schedule', name: s.scheduleName, reason: 'scheduled the same way' });
      else
        plan.notCarriedOver.push({
          kind: 'schedule',
          name: s.scheduleName,
          reason: `already exists (${same.taskDefinitionName}, '${same.cron}'); left as it is`,
        });
      continue;
    }
    plan.create.push({
      kind: 'schedule',
      name: s.scheduleName,
      method: 'POST',
      path: '/tasks/schedules',
      body: { scheduleName: s.scheduleName, taskDefinitionName: s.taskDefinitionName, cron },
    });
  }
}

export function planImport(source: Omit<ScdfExport, 'problems'>, existing: Existing): ImportPlan {
  const plan: ImportPlan = { create: [], unchanged: [], notCarriedOver: [] };
  appActions(source.apps, existing, plan);
  definitionActions(source.definitions, existing, plan);
  scheduleActions(source.schedules, existing, plan);
  return plan;
}
