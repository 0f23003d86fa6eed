/**
 * Structured logging: one JSON object per line on stdout, as the pod's log collector expects.
 * Values are written as given — callers must never pass secrets (the database URL in particular).
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export function jsonLogger(
  write: (line: string) => void = (l) => process.stdout.write(l),
  clock: () => Date = () => new Date(),
): Logger {
  const emit = (level: string, msg: string, fields?: LogFields): void => {
    write(`${JSON.stringify({ time: clock().toISOString(), level, msg, ...fields })}\n`);
  };
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
