import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';
import { parseEnv } from './env.js';

describe('the worker takes the Spring Cloud Task launch contract', () => {
  const datasource = {
    SPRING_DATASOURCE_URL: 'jdbc:postgresql://db:5432/batchyard',
    SPRING_DATASOURCE_USERNAME: 'batch',
    SPRING_DATASOURCE_PASSWORD: 's3cr:t',
    SPRING_DATASOURCE_DRIVER_CLASS_NAME: 'org.postgresql.Driver',
  };

  it('exec: --spring.* arguments are configuration, never job parameters', () => {
    const args = parseArgs([
      '--spring.cloud.task.executionid=42',
      '--spring.cloud.task.name=nightly',
      '--spring.cloud.task.initialize-enabled=false',
      'rows=5,long',
    ]);
    expect([...args.parameters].map(([n]) => n)).toEqual(['rows']);
    const env = parseEnv(datasource, args.spring);
    expect(env).toMatchObject({ taskExecutionId: 42, taskName: 'nightly' });
    expect(env.databaseUrl).toBe('postgresql://batch:s3cr%3At@db:5432/batchyard');
  });

  it("reads the table prefixes as Spring does, Spring's defaults otherwise; a bad one is refused", () => {
    expect(parseEnv(datasource).tablePrefixes).toEqual({ batch: 'BATCH_', task: 'TASK_' });
    const args = parseArgs(['--spring.batch.jdbc.table-prefix=BOOT3_BATCH_', 'rows=5,long']);
    expect(
      parseEnv({ ...datasource, SPRING_CLOUD_TASK_TABLEPREFIX: 'BOOT3_TASK_' }, args.spring).tablePrefixes,
    ).toEqual({
      batch: 'BOOT3_BATCH_',
      task: 'BOOT3_TASK_',
    });
    expect(() => parseEnv({ ...datasource, SPRING_BATCH_JDBC_TABLE_PREFIX: 'x;drop' })).toThrow(
      /table prefixes/,
    );
  });

  it('shell: SPRING_CLOUD_TASK_* variables', () => {
    const env = parseEnv({ ...datasource, SPRING_CLOUD_TASK_EXECUTIONID: '7', SPRING_CLOUD_TASK_NAME: 't' });
    expect(env).toMatchObject({ taskExecutionId: 7, taskName: 't' });
  });

  it('boot: SPRING_APPLICATION_JSON', () => {
    const env = parseEnv({
      ...datasource,
      SPRING_APPLICATION_JSON: JSON.stringify({
        'spring.cloud.task.executionid': '9',
        'spring.cloud.task.name': 'b',
      }),
    });
    expect(env).toMatchObject({ taskExecutionId: 9, taskName: 'b' });
    expect(() => parseEnv({ ...datasource, SPRING_APPLICATION_JSON: '{' })).toThrow(
      /SPRING_APPLICATION_JSON/,
    );
  });

  it("Batchyard's own variables win; a bad id or URL is a configuration error that does not print the password", () => {
    expect(
      parseEnv(
        { ...datasource, BATCHYARD_TASK_EXECUTION_ID: '3', BATCHYARD_DATABASE_URL: 'postgresql://x/y' },
        {
          'spring.cloud.task.executionid': '42',
        },
      ),
    ).toMatchObject({ taskExecutionId: 3, databaseUrl: 'postgresql://x/y' });
    expect(() => parseEnv(datasource, { 'spring.cloud.task.executionid': 'abc' })).toThrow(
      /spring.cloud.task.executionid/,
    );
    let message = '';
    try {
      parseEnv({ ...datasource, SPRING_DATASOURCE_URL: 'jdbc:mysql://db/x' });
    } catch (e) {
      message = String(e);
    }
    expect(message).toMatch(/jdbc:postgresql/);
    expect(message).not.toContain('s3cr');
    expect(() => parseEnv({})).toThrow(/SPRING_DATASOURCE_URL/);
  });
});
