// SCDF writes a schedule's cron expression as the property `scheduler.cron.expression` (its REST
// and shell: `--properties "scheduler.cron.expression=0 2 * * *"`); Batchyard has a `cron` field.
// The request body is rewritten before validation, so the schedule route checks one form.

export const SCDF_CRON_PROPERTY = 'scheduler.cron.expression';

/** Moves `properties['scheduler.cron.expression']` to `cron` (when `cron` is not given). Pure. */
export function liftScdfCron(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const record = body as Record<string, unknown>;
  const properties = record.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return body;
  if (!Object.hasOwn(properties, SCDF_CRON_PROPERTY)) return body;
  const { [SCDF_CRON_PROPERTY]: cron, ...rest } = properties as Record<string, unknown>;
  // Both given: leave the body alone, so validation refuses the unknown property key by name.
  if (record.cron !== undefined) return body;
  return { ...record, cron, properties: rest };
}
