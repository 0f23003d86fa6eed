import pc from 'picocolors';
import stringWidth from 'string-width';

type Paint = (text: string) => string;

/** How human output looks here: colour or not, the terminal width, the clock for relative times. */
export interface Style {
  readonly color: boolean;
  readonly width: number;
  readonly wide: boolean;
  readonly now: Date;
  readonly paint: {
    readonly bold: Paint;
    readonly dim: Paint;
    readonly red: Paint;
    readonly green: Paint;
    readonly yellow: Paint;
    readonly cyan: Paint;
    readonly magenta: Paint;
  };
}

export interface StyleInput {
  isTTY: boolean;
  columns?: number;
  env: NodeJS.ProcessEnv;
  wide: boolean;
  now?: Date;
}

/**
 * Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb;
 * FORCE_COLOR=1 forces it (and FORCE_COLOR=0 turns it off). The width is the terminal's, or
 * $COLUMNS, or 100 when neither is known (a pipe).
 */
export function createStyle(input: StyleInput): Style {
  const { env } = input;
  const forced = env.FORCE_COLOR;
  const color =
    forced !== undefined && forced !== ''
      ? forced !== '0' && forced !== 'false'
      : input.isTTY && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const c = pc.createColors(color);
  const fromEnv = Number(env.COLUMNS);
  const width = Number.isInteger(fromEnv) && fromEnv > 20 ? fromEnv : (input.columns ?? 100);
  return {
    color,
    width,
    wide: input.wide,
    now: input.now ?? new Date(),
    paint: {
      bold: c.bold,
      dim: c.dim,
      red: c.red,
      green: c.green,
      yellow: c.yellow,
      cyan: c.cyan,
      magenta: c.magenta,
    },
  };
}

type Tone = 'green' | 'red' | 'yellow' | 'cyan' | 'magenta' | 'dim';

/** A symbol and a colour per status, so a status reads the same with colour or without. */
const STATUS: Record<string, [string, Tone]> = {
  // task executions
  QUEUED: ['…', 'dim'],
  LAUNCHING: ['◌', 'yellow'],
  PENDING: ['◌', 'yellow'],
  RUNNING: ['●', 'cyan'],
  STOPPING: ['■', 'yellow'],
  COMPLETE: ['✓', 'green'],
  FAILED: ['✗', 'red'],
  STOPPED: ['■', 'magenta'],
  LOST: ['✗', 'red'],
  // batch jobs and steps
  STARTING: ['◌', 'yellow'],
  STARTED: ['●', 'cyan'],
  COMPLETED: ['✓', 'green'],
  ABANDONED: ['⊘', 'dim'],
  UNKNOWN: ['?', 'magenta'],
};

export function status(style: Style, value: string): string {
  const [symbol, tone] = STATUS[value] ?? ['?', 'dim'];
  return style.paint[tone](`${symbol} ${value}`);
}

/** The number of terminal columns a string takes (colour codes and wide characters counted right). */
export const width = (text: string): number => stringWidth(text);

/** Cuts plain text to `max` columns, ending in an ellipsis when it had to cut. */
export function truncate(text: string, max: number): string {
  if (width(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (width(`${out}${ch}`) > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

const UNITS: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
  [1000, 's'],
];

/** `850ms`, `3.1s`, `1h 5m`: seconds with a decimal under a minute, else the two largest units. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const parts: string[] = [];
  let rest = Math.floor(ms);
  for (const [size, unit] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
    else if (parts.length > 0) break;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/**
 * `5m ago` (one unit, as kubectl's AGE) or `-` for no time. A past event a few milliseconds "in
 * the future" (the server's clock a little ahead of ours) is `0s ago`.
 */
export function ago(style: Style, iso: string | null | undefined): string {
  if (!iso) return '-';
  const diff = Math.max(0, style.now.getTime() - new Date(iso).getTime());
  const [size, unit] = UNITS.find(([s]) => diff >= s) ?? [1000, 's'];
  return `${Math.floor(diff / size)}${unit} ago`;
}

/** `in 2h` for a time to come (a schedule's next fire), `now` once it is here. */
export function until(style: Style, iso: string): string {
  const diff = new Date(iso).getTime() - style.now.getTime();
  if (diff < 1000) return 'now';
  const [size, unit] = UNITS.find(([s]) => diff >= s) ?? [1000, 's'];
  return `in ${Math.floor(diff / size)}${unit}`;
}

/** The time from start to end (or to now while it runs); `-` before it starts. */
export function elapsed(style: Style, start: string | null, end: string | null): string {
  if (!start) return '-';
  const until = end ? new Date(end).getTime() : style.now.getTime();
  return duration(until - new Date(start).getTime());
}
