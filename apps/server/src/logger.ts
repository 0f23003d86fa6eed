import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export interface LogOptions {
  level: string;
  /** auto: pretty on a terminal, JSON lines otherwise (a container, a pipe, a file). */
  format?: 'auto' | 'json' | 'pretty';
}

const REDACT = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    '*.password',
    '*.databaseUrl',
    'config.database.url',
    '*.env[*].value',
  ],
  censor: '***',
};

/** Whether a log of this format is written for a person to read. */
export const isPretty = (format: LogOptions['format'], isTTY = process.stdout.isTTY === true): boolean =>
  format === 'pretty' || (format !== 'json' && isTTY);

/**
 * JSON logs for machines; on a terminal (or log.format=pretty) one readable line per event.
 * Anything that looks like a credential is redacted wherever it appears, in both. `destination`
 * replaces stdout (tests); with it, `auto` means JSON.
 */
export function createLogger(options: LogOptions | string, destination?: NodeJS.WritableStream): Logger {
  const { level, format = 'auto' } = typeof options === 'string' ? { level: options } : options;
  const base = { level, base: { service: 'batchyard' }, redact: REDACT };
  if (!isPretty(format, destination ? false : undefined)) {
    return destination ? pino(base, destination) : pino(base);
  }
  // In the main thread (not a transport worker): lines come out in order and none is lost at exit.
  const stream = pretty({
    colorize: !destination && process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
    ...(destination ? { destination } : {}),
    translateTime: 'SYS:HH:MM:ss.l',
    // The message already says these (request lines, the banner).
    ignore: 'pid,hostname,service,reqId,method,route,status,ms,apiExplorer,database',
    singleLine: true,
    sync: true,
  });
  return pino(base, stream);
}
