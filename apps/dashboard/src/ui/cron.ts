/**
 * Explains a 5-field cron expression (minute hour day-of-month month day-of-week) in words, for
 * the schedule form. The server validates and computes fire times; this only describes.
 */
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export type Explained = { ok: true; text: string } | { ok: false; error: string };

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
] as const;

function nameOf(field: (typeof FIELDS)[number], n: number): string {
  if ('names' in field) return field.names[field.name === 'month' ? n - 1 : n % 7]!;
  return String(n);
}

function parseValue(field: (typeof FIELDS)[number], raw: string): number {
  let v = Number(raw);
  if (!/^\d+$/.test(raw) && 'names' in field) {
    const i = field.names.findIndex((n) => n.slice(0, 3).toLowerCase() === raw.toLowerCase());
    if (i >= 0) v = field.name === 'month' ? i + 1 : i;
  }
  if (!Number.isInteger(v) || v < field.min || v > field.max) {
    throw new Error(`${field.name} '${raw}' is out of range ${field.min}–${field.max}`);
  }
  return v;
}

/** One field in words, or undefined for '*'. */
function describe(field: (typeof FIELDS)[number], text: string): string | undefined {
  if (text === '*' || text === '?') return undefined;
  return text
    .split(',')
    .map((part) => {
      const [range, stepText] = part.split('/');
      const step = stepText === undefined ? undefined : Number(stepText);
      if (step !== undefined && (!Number.isInteger(step) || step < 1))
        throw new Error(`${field.name} step '${stepText}' must be a positive integer`);
      if (range === '*')
        return `every ${step} ${field.name === 'day of week' ? 'days of the week' : `${field.name}s`}`;
      const [a, b] = range!.split('-');
      const from = nameOf(field, parseValue(field, a!));
      if (b === undefined) return step ? `every ${step} from ${from}` : from;
      const to = nameOf(field, parseValue(field, b));
      return `${from} through ${to}${step ? ` every ${step}` : ''}`;
    })
    .join(', ');
}

const pad = (s: string) => (/^\d+$/.test(s) ? s.padStart(2, '0') : s);

export function explainCron(expression: string): Explained {
  const expr = MACROS[expression.trim()] ?? expression.trim();
  const parts = expr.split(/\s+/).filter(Boolean);
  if (parts.length !== 5)
    return {
      ok: false,
      error: `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`,
    };
  try {
    const [minute, hour, dom, month, dow] = parts.map((p, i) => describe(FIELDS[i]!, p));
    let when: string;
    if (/^\d+$/.test(parts[0]!) && /^\d+$/.test(parts[1]!)) when = `At ${pad(parts[1]!)}:${pad(parts[0]!)}`;
    else {
      const m =
        minute === undefined
          ? 'every minute'
          : /^\d+$/.test(parts[0]!)
            ? `at minute ${minute}`
            : minute.startsWith('every')
              ? minute
              : `minutes ${minute}`;
      const h =
        hour === undefined
          ? ''
          : /^\d+$/.test(parts[1]!)
            ? ` past hour ${hour}`
            : hour.startsWith('every')
              ? `, ${hour}`
              : `, hours ${hour}`;
      when = `${m[0]!.toUpperCase()}${m.slice(1)}${h}`;
    }
    const days: string[] = [];
    if (dom !== undefined) days.push(`on day-of-month ${dom}`);
    if (dow !== undefined) days.push(`on ${dow}`);
    const months = month === undefined ? '' : ` in ${month}`;
    return { ok: true, text: `${when}${days.length ? ` ${days.join(' or ')}` : ', every day'}${months}.` };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
