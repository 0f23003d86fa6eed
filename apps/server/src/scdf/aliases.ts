import type { LaunchBody } from '@batchyard/core';

// SCDF's spellings of endpoints Batchyard names differently: the one table of them. Each alias is
// forwarded (in-process) to the Batchyard route, so validation, roles and responses are that route's.

export interface EndpointAlias {
  method: 'GET' | 'POST' | 'PUT';
  /** SCDF's path, Fastify syntax. */
  path: string;
  /** When the alias is chosen by a query parameter (`?stop=true`), that parameter. */
  flag?: 'stop' | 'restart';
  /** The Batchyard route it stands for. */
  target: string;
  note: string;
}

export const ENDPOINT_ALIASES: readonly EndpointAlias[] = [
  {
    method: 'POST',
    path: '/tasks/executions/launch',
    target: 'POST /tasks/executions',
    note: "SCDF 2.11's launch: `name`, `properties` (`k=v,k2=v2`) and `arguments` (space-separated) as query parameters or a form, or Batchyard's JSON body; answers `{executionId, schemaTarget}`",
  },
  {
    method: 'POST',
    path: '/tasks/executions/:ids',
    target: 'POST /tasks/executions/{ids}/stop',
    note: "SCDF's stop of task executions (comma-separated ids)",
  },
  {
    method: 'PUT',
    path: '/jobs/executions/:id',
    flag: 'stop',
    target: 'PUT /jobs/executions/{id}/stop',
    note: '`?stop=true`',
  },
  {
    method: 'PUT',
    path: '/jobs/executions/:id',
    flag: 'restart',
    target: 'PUT /jobs/executions/{id}/restart',
    note: '`?restart=true`',
  },
  {
    method: 'GET',
    path: '/tasks/schedules/instances/:definition',
    target: 'GET /tasks/schedules?taskDefinitionName={definition}',
    note: "the schedules of one definition (SCDF's path), same paging",
  },
  {
    method: 'GET',
    path: '/tasks/logs/:externalId',
    target: 'GET /tasks/executions/{id}/logs',
    note: 'by the platform id (Job name) instead of the execution id; `platformName` is accepted and must match',
  },
];

/** SCDF's `k=v,k2=v2` property string (values may not hold commas there either). */
export function scdfProperties(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of (text ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    if (at <= 0) throw new Error(`'${entry.trim()}' must have the form key=value`);
    out[entry.slice(0, at).trim()] = entry.slice(at + 1);
  }
  return out;
}

/** SCDF's space-separated arguments. */
export function scdfArguments(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((a) => a.length > 0);
}

/** The JSON body of the Batchyard launch an SCDF-style launch stands for. */
export function launchBodyFrom(
  query: { name?: string; properties?: string; arguments?: string; platformName?: string },
  body: Partial<LaunchBody> | null | undefined,
): Record<string, unknown> {
  if (query.name === undefined) return { ...body };
  return {
    name: query.name,
    arguments: scdfArguments(query.arguments),
    properties: scdfProperties(query.properties),
    ...(query.platformName !== undefined ? { platform: query.platformName } : {}),
  };
}
