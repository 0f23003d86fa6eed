import { ApiError, invalid } from '@batchyard/core';
import { scdfArguments, scdfProperties } from '../aliases.js';
import { liftScdfCron } from '../schedule-properties.js';

// SCDF's shell and REST documentation send `application/x-www-form-urlencoded` bodies
// (`name=…&definition=…`, `name=…&properties=k%3Dv&arguments=--x%3D1`), and SCDF 2.x also takes
// the same fields as query parameters on a bodiless POST. These are the routes that accept them,
// each with the JSON body its form stands for: one table, so the form parser is scoped to it.

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export interface FormRoute {
  method: 'POST';
  /** Fastify's route URL. */
  url: string;
  /** The form fields the route takes (anything else is a 400 naming it). */
  fields: readonly string[];
  /** Whether a bodiless POST with the same fields as query parameters is the SCDF form too. */
  fromQuery: boolean;
  /** The route's JSON body for the form's fields. */
  toBody(form: Record<string, string>, where: 'body' | 'query'): Record<string, unknown>;
}

/** SCDF's `properties` (`k=v,k2=v2`), refused by field name when malformed. */
function properties(form: Record<string, string>, where: string): Record<string, string> {
  try {
    return scdfProperties(form.properties);
  } catch (err) {
    throw invalid(`${where}.properties`, (err as Error).message);
  }
}

function launchBody(form: Record<string, string>, where: string): Record<string, unknown> {
  return {
    ...(form.name !== undefined ? { name: form.name } : {}),
    arguments: scdfArguments(form.arguments),
    properties: properties(form, where),
    ...(form.platformName !== undefined ? { platform: form.platformName } : {}),
  };
}

const LAUNCH_FIELDS = ['name', 'properties', 'arguments', 'platformName'] as const;

export const FORM_ROUTES: readonly FormRoute[] = [
  {
    method: 'POST',
    url: '/tasks/executions',
    fields: LAUNCH_FIELDS,
    fromQuery: true,
    toBody: (form, where) => launchBody(form, where),
  },
  {
    method: 'POST',
    url: '/tasks/executions/launch',
    fields: LAUNCH_FIELDS,
    fromQuery: false,
    toBody: (form, where) => launchBody(form, where),
  },
  {
    method: 'POST',
    url: '/tasks/definitions',
    fields: ['name', 'definition', 'description'],
    fromQuery: false,
    toBody: (form) => ({ ...form }),
  },
  {
    method: 'POST',
    url: '/tasks/schedules',
    fields: ['scheduleName', 'taskDefinitionName', 'platform', 'properties', 'arguments'],
    fromQuery: false,
    // `scheduler.cron.expression` in the properties becomes `cron`, as it does for JSON.
    toBody: (form, where) => {
      const { properties: _p, arguments: _a, ...rest } = form;
      return liftScdfCron({
        ...rest,
        arguments: scdfArguments(form.arguments),
        properties: properties(form, where),
      }) as Record<string, unknown>;
    },
  },
];

export function formRouteOf(method: string, url: string | undefined): FormRoute | undefined {
  return FORM_ROUTES.find((r) => r.method === method && r.url === url);
}

/**
 * The parsed form as single string values, checked against the route's fields: a repeated or
 * unknown field is a 400 naming it (`where` is `body` or `query`).
 */
export function formFields(
  route: FormRoute,
  parsed: unknown,
  where: 'body' | 'query',
): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof parsed !== 'object' || parsed === null) return out;
  for (const [key, value] of Object.entries(parsed)) {
    const path = `${where}.${key}`;
    if (!route.fields.includes(key)) {
      throw new ApiError('VALIDATION_FAILED', `${path}: unknown field; known: ${route.fields.join(', ')}`, [
        { path, message: `unknown field; known: ${route.fields.join(', ')}` },
      ]);
    }
    if (typeof value !== 'string') throw invalid(path, 'give the field once');
    out[key] = value;
  }
  return out;
}
