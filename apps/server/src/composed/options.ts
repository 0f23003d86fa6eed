import type { ErrorDetail } from '@batchyard/core';
import type { ChildPlanOptions, PlanOptions } from '@batchyard/dsl';

// SCDF composed task runner settings given as launch properties of a composed task, parsed into the
// planner's options. Pure. Graph-wide: `composed.<option>` or SCDF's `app.composed-task-runner.<option>`;
// per child: `composed.<label>.<option>`. Options: ignoreExitMessage, maxWaitTime and maxStartWaitTime
// (ms, as SCDF), splitThreadCorePoolSize (children of the launch running at once, SCDF's name for the
// split concurrency) and maxGraphWaitTime (ms, the whole composed task; Batchyard's).

const CHILD_OPTIONS = ['ignoreExitMessage', 'maxWaitTime', 'maxStartWaitTime'] as const;
const GRAPH_OPTIONS = [...CHILD_OPTIONS, 'splitThreadCorePoolSize', 'maxGraphWaitTime'] as const;
/** Parent properties the orchestrator itself writes. */
const RESERVED = new Set(['composed.restartOf', 'composed.platform']);
const SCDF_PREFIX = 'app.composed-task-runner.';

type ChildOption = (typeof CHILD_OPTIONS)[number];
type GraphOption = (typeof GRAPH_OPTIONS)[number];

export interface ComposedLaunchOptions {
  plan: Omit<PlanOptions, 'now' | 'startedAt'>;
  issues: ErrorDetail[];
}

function value(
  option: GraphOption,
  text: string,
  path: string,
  issues: ErrorDetail[],
): number | boolean | undefined {
  const t = text.trim();
  if (option === 'ignoreExitMessage') {
    if (t === 'true' || t === 'false') return t === 'true';
    issues.push({ path, message: `'${text}' must be true or false` });
    return undefined;
  }
  const min = option === 'splitThreadCorePoolSize' ? 1 : 0;
  if (/^[0-9]+$/.test(t) && Number.isSafeInteger(Number(t)) && Number(t) >= min) return Number(t);
  issues.push({
    path,
    message: `'${text}' must be a whole number ≥ ${min}${min === 0 ? ' (milliseconds; 0: no limit)' : ''}`,
  });
  return undefined;
}

/**
 * Reads the composed options from a composed launch's properties; `childIds` are the graph's node
 * ids (labels or app names), so a per-child key for a node that does not exist is a 400.
 */
export function composedLaunchOptions(
  properties: Readonly<Record<string, string>>,
  childIds: readonly string[],
  path = 'body.properties',
  defaultMaxConcurrent?: number,
  /** A caller's request may not set the keys the orchestrator writes; stored properties hold them. */
  fromCaller = true,
): ComposedLaunchOptions {
  const issues: ErrorDetail[] = [];
  const graph: Record<string, number | boolean> = {};
  const children: Record<string, Record<string, number | boolean>> = {};
  const ids = new Set(childIds);
  for (const [key, text] of Object.entries(properties)) {
    if (RESERVED.has(key)) {
      if (fromCaller)
        issues.push({ path: `${path}.${key}`, message: 'reserved: the server sets this property' });
      continue;
    }
    const rest = key.startsWith(SCDF_PREFIX)
      ? key.slice(SCDF_PREFIX.length)
      : key.startsWith('composed.')
        ? key.slice('composed.'.length)
        : undefined;
    if (rest === undefined) continue;
    const at = `${path}.${key}`;
    if ((GRAPH_OPTIONS as readonly string[]).includes(rest)) {
      const v = value(rest as GraphOption, text, at, issues);
      if (v !== undefined) graph[rest] = v;
      continue;
    }
    const dot = rest.lastIndexOf('.');
    const id = rest.slice(0, dot);
    const option = rest.slice(dot + 1);
    if (dot > 0 && (CHILD_OPTIONS as readonly string[]).includes(option) && !key.startsWith(SCDF_PREFIX)) {
      if (!ids.has(id)) {
        issues.push({
          path: at,
          message: `no child '${id}' in this composed task; children: ${childIds.join(', ')}`,
        });
        continue;
      }
      const v = value(option as ChildOption, text, at, issues);
      if (v !== undefined) children[id] = { ...children[id], [option]: v };
      continue;
    }
    issues.push({
      path: at,
      message: `unknown composed task option; known: ${GRAPH_OPTIONS.join(', ')} (graph-wide) and composed.<label>.${CHILD_OPTIONS.join('|')} (per child)`,
    });
  }
  const plan: ComposedLaunchOptions['plan'] = {
    maxConcurrent: (graph.splitThreadCorePoolSize as number | undefined) ?? defaultMaxConcurrent,
    ignoreExitMessage: graph.ignoreExitMessage as boolean | undefined,
    maxWaitTime: graph.maxWaitTime as number | undefined,
    maxStartWaitTime: graph.maxStartWaitTime as number | undefined,
    maxGraphWaitTime: graph.maxGraphWaitTime as number | undefined,
    children: children as Record<string, ChildPlanOptions>,
  };
  return { plan, issues };
}

/** The launch properties without the parent's own `composed.*` options (for the routing checks). */
export function withoutComposedOptions(properties: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).filter(([key]) => !key.startsWith('composed.')));
}
