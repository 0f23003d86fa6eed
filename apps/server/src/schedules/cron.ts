import type { ErrorDetail } from '@batchyard/core';
import { CronExpressionParser } from 'cron-parser';

// Cron expressions as both platforms read them: five fields, the minute first. cron-parser is the
// reader; its errors do not say which field is wrong, so each field is also checked on its own
// (the others set to '*') to name it. Only syntax the Kubernetes CronJob controller (robfig/cron)
// also accepts is allowed, so a schedule means the same on every platform.

export const CRON_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;

const FIELD_RANGES = ['0-59', '0-23', '1-31', '1-12 or JAN-DEC', '0-7 or SUN-SAT'];
const ALLOWED = /^[0-9A-Za-z*?/,-]+$/;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** Names a field may hold; cron-parser's L and W extensions are not in robfig/cron. */
const NAMES: readonly (readonly string[])[] = [[], [], [], MONTHS, DAYS];

/** Problems of a cron expression, each naming its field; empty when valid. */
export function cronProblems(cron: string, path = 'body.cron'): ErrorDetail[] {
  const text = cron.trim();
  if (/^(CRON_)?TZ=/.test(text)) {
    return [{ path, message: 'must not carry a TZ= or CRON_TZ= prefix; use timeZone' }];
  }
  if (text.startsWith('@')) {
    return [
      { path, message: `macros such as '${text.split(/\s/)[0]}' are not accepted; write the five fields` },
    ];
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return [
      {
        path,
        message: `must have exactly 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`,
      },
    ];
  }
  const problems: ErrorDetail[] = [];
  fields.forEach((field, i) => {
    const name = CRON_FIELDS[i]!;
    if (!ALLOWED.test(field)) {
      problems.push({
        path,
        message: `${name} field '${field}': only digits, names, '*', '?', ',', '-' and '/' are allowed`,
      });
      return;
    }
    const word = field.match(/[A-Za-z]+/g)?.find((w) => !NAMES[i]!.includes(w.toUpperCase()));
    if (word !== undefined) {
      problems.push({ path, message: `${name} field '${field}': '${word}' is not allowed here` });
      return;
    }
    const alone = CRON_FIELDS.map((_, j) => (j === i ? field : '*')).join(' ');
    try {
      CronExpressionParser.parse(alone, { strict: false });
    } catch (err) {
      const reason = (err as Error).message.replace(/^Constraint error, /, '');
      problems.push({ path, message: `${name} field '${field}': ${reason} (allowed ${FIELD_RANGES[i]})` });
    }
  });
  if (problems.length > 0) return problems;
  try {
    CronExpressionParser.parse(text);
  } catch (err) {
    problems.push({ path, message: (err as Error).message });
  }
  return problems;
}

function parse(cron: string, timeZone: string | null | undefined, currentDate: Date) {
  return CronExpressionParser.parse(cron.trim(), { tz: timeZone ?? 'UTC', currentDate });
}

/** The next `count` fire times strictly after `after`, read in the schedule's time zone. */
export function nextFireTimes(
  cron: string,
  timeZone: string | null | undefined,
  after: Date,
  count: number,
): Date[] {
  const expression = parse(cron, timeZone, after);
  const out: Date[] = [];
  while (out.length < count && expression.hasNext()) out.push(expression.next().toDate());
  return out;
}

/** The latest fire time at or before `at`, or undefined when there is none. */
export function latestFireTime(
  cron: string,
  timeZone: string | null | undefined,
  at: Date,
): Date | undefined {
  // prev() is strictly before currentDate: start one millisecond later so `at` itself counts.
  const expression = parse(cron, timeZone, new Date(at.getTime() + 1));
  return expression.hasPrev() ? expression.prev().toDate() : undefined;
}
