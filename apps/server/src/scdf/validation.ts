import { ApiError, type ErrorDetail, notFound } from '@batchyard/core';
import { definitions, type PrismaClient } from '@batchyard/db';
import { composedTaskApps, parseDefinition } from '@batchyard/dsl';
import { checkComposedApps } from '../composed/definitions.js';
import { checkNestingCycle } from '../composed/nested.js';
import type { Launcher } from '../services/launcher.js';

// SCDF's `/tasks/validation/{name}`: one report for a definition — the DSL parses and validates,
// every app it names is registered (and runnable on the default account), every property the
// account adds is valid — instead of finding out one launch failure at a time.

export interface ValidationReport {
  appName: string;
  dsl: string;
  description: string | null;
  valid: boolean;
  /** SCDF's shape: `task:<definition>` → `valid` | `invalid`, one entry per definition checked. */
  appStatuses: Record<string, 'valid' | 'invalid'>;
  problems: ErrorDetail[];
}

function problemsOf(err: unknown, prefix: string): ErrorDetail[] {
  if (!(err instanceof ApiError)) throw err;
  const details = err.details ?? [];
  if (details.length === 0) return [{ path: prefix, message: err.message }];
  return details.map((d) => ({ path: `${prefix}: ${d.path}`, message: d.message }));
}

export async function validateDefinition(
  db: PrismaClient,
  launcher: Launcher,
  name: string,
): Promise<ValidationReport> {
  const def = await definitions.findDefinition(db, name);
  if (!def) throw notFound('task definition', name);
  const report: ValidationReport = {
    appName: def.name,
    dsl: def.dslText,
    description: def.description,
    valid: true,
    appStatuses: {},
    problems: [],
  };
  const check = async (key: string, run: () => Promise<unknown>): Promise<void> => {
    try {
      await run();
      report.appStatuses[key] ??= 'valid';
    } catch (err) {
      report.appStatuses[key] = 'invalid';
      report.problems.push(...problemsOf(err, key));
    }
  };
  let parsed: ReturnType<typeof parseDefinition> | undefined;
  await check(`task:${name}`, async () => {
    try {
      parsed = parseDefinition(def.dslText);
    } catch (err) {
      throw new ApiError('DSL_INVALID', (err as Error).message, [
        { path: 'definition', message: (err as Error).message },
      ]);
    }
  });
  if (parsed?.kind === 'composed') {
    const task = parsed.task;
    await check(`task:${name}`, () => checkComposedApps(db, task, 'definition'));
    await check(`task:${name}`, () => checkNestingCycle(db, name, task, 'definition'));
    for (const child of composedTaskApps(task, name)) {
      const childName = child.definitionName!;
      const childDef = await definitions.findDefinition(db, childName);
      if (childDef?.composed) continue; // a nested composed child: its own children are checked when it is
      await check(`task:${childName}`, () =>
        childDef
          ? launcher.prepare({ name: childName, arguments: [], properties: {} }, childDef)
          : Promise.reject(notFound('task definition', childName)),
      );
    }
  } else if (parsed) {
    await check(`task:${name}`, () => launcher.prepare({ name, arguments: [], properties: {} }, def));
  }
  report.valid = report.problems.length === 0;
  return report;
}
