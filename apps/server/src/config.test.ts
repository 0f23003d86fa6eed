import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database and a local platform', () => {
    const c = loadConfig({});
    expect(c.database.url).toBeUndefined();
    expect(c.server.port).toBe(9393);
    expect(c.platforms).toEqual([
      { name: 'default', type: 'local', workDir: '.batchyard/work', maxConcurrent: 20, defaults: {} },
    ]);
    expect(Object.isFrozen(c.server)).toBe(true);
  });

  it('reads a YAML file with environment variables on top', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'batchyard.yaml');
    writeFileSync(
      file,
      'server:\n  port: 8080\nplatforms:\n  - name: prod\n    type: kubernetes\n    namespace: batch\n    defaults:\n      limits.memory: 1Gi\n',
    );
    const c = loadConfig({
      BATCHYARD_CONFIG: file,
      BATCHYARD_PORT: '9000',
      BATCHYARD_MIGRATE_ON_START: 'false',
    });
    expect(c.server.port).toBe(9000);
    expect(c.database.migrateOnStart).toBe(false);
    expect(c.platforms[0]).toMatchObject({
      name: 'prod',
      type: 'kubernetes',
      namespace: 'batch',
      defaults: { 'limits.memory': '1Gi' },
    });
  });

  it.each([
    [{ BATCHYARD_PORT: 'abc' }, /server\.port \(BATCHYARD_PORT\)/],
    [{ BATCHYARD_PORT: '70000' }, /server\.port \(BATCHYARD_PORT\)/],
    [{ DATABASE_URL: 'not a url' }, /database\.url \(DATABASE_URL\)/],
    [{ BATCHYARD_MIGRATE_ON_START: 'maybe' }, /database\.migrateOnStart \(BATCHYARD_MIGRATE_ON_START\)/],
    [{ BATCHYARD_LOG_LEVEL: 'loud' }, /log\.level \(BATCHYARD_LOG_LEVEL\)/],
    [{ BATCHYARD_PLATFORMS: '[{"name":"x","type":"mainframe"}]' }, /platforms\.0\.type/],
    [{ BATCHYARD_PLATFORMS: '{' }, /BATCHYARD_PLATFORMS is not JSON/],
    [{ BATCHYARD_PLATFORMS: '[{"name":"Prod East","type":"local"}]' }, /platforms\.0\.name.*DNS label/],
    [{ BATCHYARD_PLATFORMS: '[{"name":"composed","type":"local"}]' }, /platforms\.0\.name.*reserved/],
    [
      { BATCHYARD_PLATFORMS: '[{"name":"a","type":"local"},{"name":"a","type":"kubernetes"}]' },
      /platforms\.1\.name.*used by two accounts/,
    ],
    [{ BATCHYARD_CONFIG: '/nonexistent/batchyard.yaml' }, /configuration file \/nonexistent/],
    [
      { BATCHYARD_SPRING_BATCH_TABLE_PREFIX: 'BOOT3-BATCH_' },
      /spring\.batchTablePrefix \(BATCHYARD_SPRING_BATCH_TABLE_PREFIX\).*letters, digits and underscores/,
    ],
    [
      { BATCHYARD_SPRING_TASK_TABLE_PREFIX: 'BATCH_JOB_' },
      /spring\.taskTablePrefix \(BATCHYARD_SPRING_TASK_TABLE_PREFIX\).*both name batch_job_execution/,
    ],
  ])('stops on %j naming the key', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes the Grafana link of the dashboard as an http(s) URL, naming the key when it is not one', () => {
    expect(loadConfig({}).dashboard.grafanaUrl).toBeUndefined();
    const url = 'https://grafana.example/d/batchyard';
    expect(loadConfig({ BATCHYARD_GRAFANA_URL: url }).dashboard.grafanaUrl).toBe(url);
    for (const bad of ['javascript:alert(1)', 'not a url'])
      expect(() => loadConfig({ BATCHYARD_GRAFANA_URL: bad })).toThrow(/dashboard\.grafanaUrl/);
  });

  it('never shows database credentials', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://app:s3cret@db:5432/batchyard' });
    expect(JSON.stringify(redactedConfig(c))).not.toContain('s3cret');
    expect(JSON.stringify(redactedConfig(c))).toContain('postgresql://app:***@db:5432/batchyard');
  });
});
