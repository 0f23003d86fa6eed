import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration errors a person reads', () => {
  it.each([
    ['BATCHYARD_PORT', 'abc', "server.port (BATCHYARD_PORT): expected a number, got 'abc'"],
    [
      'BATCHYARD_DB_POOL_SIZE',
      'ten',
      "database.poolSize (BATCHYARD_DB_POOL_SIZE): expected a number, got 'ten'",
    ],
    [
      'BATCHYARD_RESYNC_SECONDS',
      '1s',
      "executions.resyncSeconds (BATCHYARD_RESYNC_SECONDS): expected a number, got '1s'",
    ],
  ])('%s=%s says what it expected and what it got', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('takes log.format from BATCHYARD_LOG_FORMAT, auto by default, and refuses others', () => {
    expect(loadConfig({}).log.format).toBe('auto');
    expect(loadConfig({ BATCHYARD_LOG_FORMAT: 'pretty' }).log.format).toBe('pretty');
    expect(loadConfig({ BATCHYARD_LOG_FORMAT: 'json' }).log.format).toBe('json');
    expect(() => loadConfig({ BATCHYARD_LOG_FORMAT: 'fancy' })).toThrow(
      /log\.format \(BATCHYARD_LOG_FORMAT\)/,
    );
  });
});
