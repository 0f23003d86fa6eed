import type { Style } from './style.js';

const LEVELS: Record<string, 'dim' | 'cyan' | 'yellow' | 'red'> = {
  trace: 'dim',
  debug: 'dim',
  info: 'cyan',
  warn: 'yellow',
  error: 'red',
  fatal: 'red',
};
// pino's numeric levels
const NUMERIC: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

const scalar = (v: unknown) =>
  typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v);

/**
 * A JSON log line (the worker's, pino's) as a person reads it: `15:58:08.579 INFO  job started
 * job=settlement jobExecutionId=2`. Any other line is returned as it is.
 */
export function readableLogLine(line: string, style: Style): string {
  if (!line.startsWith('{')) return line;
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    o = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, message, pid: _pid, hostname: _host, ...rest } = o;
  const text = msg ?? message;
  if (text === undefined) return line;
  const name = typeof level === 'number' ? (NUMERIC[level] ?? String(level)) : String(level ?? 'info');
  const when =
    typeof time === 'string' || typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const tone = LEVELS[name] ?? 'dim';
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${scalar(v)}`)
    .join(' ');
  return `${style.paint.dim(when)} ${style.paint[tone](name.toUpperCase().padEnd(5))} ${String(text)}${
    fields ? ` ${style.paint.dim(fields)}` : ''
  }`;
}

/** Feeds chunks, emits whole lines made readable (a line split across chunks is joined first). */
export function lineTransformer(style: Style): { push(chunk: string): string; end(): string } {
  let pending = '';
  return {
    push(chunk) {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      return parts.map((l) => `${readableLogLine(l, style)}\n`).join('');
    },
    end() {
      const rest = pending;
      pending = '';
      return rest ? `${readableLogLine(rest, style)}\n` : '';
    },
  };
}
