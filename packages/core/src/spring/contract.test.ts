import { describe, expect, it } from 'vitest';
import { applyEntryPointStyle, entryPointStyle, springTaskProperties } from './contract.js';
import { postgresUrlFromJdbc, springDatasource } from './datasource.js';

describe('the Spring Cloud Task launch contract', () => {
  const props = springTaskProperties({ executionId: 42, taskName: 'etl', parentExecutionId: 7 });
  it('names the pre-created row, the task, the parent, and leaves the schema to the server', () => {
    expect(props).toEqual({
      'spring.cloud.task.executionid': '42',
      'spring.cloud.task.name': 'etl',
      'spring.cloud.task.parent-execution-id': '7',
      'spring.cloud.task.initialize-enabled': 'false',
    });
    expect(springTaskProperties({ executionId: 1, taskName: 't' })).not.toHaveProperty(
      'spring.cloud.task.parent-execution-id',
    );
  });
  it("a CronJob's run: no execution id, the external execution id instead; prefixes only when not Spring's", () => {
    expect(springTaskProperties({ taskName: 'etl', externalExecutionId: '$(BATCHYARD_JOB_NAME)' })).toEqual({
      'spring.cloud.task.name': 'etl',
      'spring.cloud.task.external-execution-id': '$(BATCHYARD_JOB_NAME)',
      'spring.cloud.task.initialize-enabled': 'false',
    });
    const prefixed = springTaskProperties({
      executionId: 3,
      taskName: 'etl',
      tablePrefixes: { batch: 'BOOT3_BATCH_', task: 'BOOT3_TASK_' },
    });
    expect(prefixed).toMatchObject({
      'spring.batch.jdbc.table-prefix': 'BOOT3_BATCH_',
      'spring.cloud.task.tablePrefix': 'BOOT3_TASK_',
    });
    expect(
      springTaskProperties({
        executionId: 3,
        taskName: 'etl',
        tablePrefixes: { batch: 'BATCH_', task: 'TASK_' },
      }),
    ).not.toHaveProperty('spring.batch.jdbc.table-prefix');
  });
  const args = ['--chunkSize=500', 'run.id=3,long', 'input=/a.csv'];
  it('exec: properties first as --key=value, then the arguments', () => {
    expect(applyEntryPointStyle('exec', { 'spring.cloud.task.executionid': '42' }, args)).toEqual({
      args: ['--spring.cloud.task.executionid=42', ...args],
      env: {},
    });
  });
  it('shell: properties and --key=value arguments as environment variables; job parameters stay arguments', () => {
    expect(applyEntryPointStyle('shell', props, args)).toEqual({
      args: ['run.id=3,long', 'input=/a.csv'],
      env: {
        CHUNKSIZE: '500',
        SPRING_CLOUD_TASK_EXECUTIONID: '42',
        SPRING_CLOUD_TASK_NAME: 'etl',
        SPRING_CLOUD_TASK_PARENT_EXECUTION_ID: '7',
        SPRING_CLOUD_TASK_INITIALIZE_ENABLED: 'false',
      },
    });
  });
  it('boot: one SPRING_APPLICATION_JSON', () => {
    const r = applyEntryPointStyle('boot', props, args);
    expect(r.args).toEqual(['run.id=3,long', 'input=/a.csv']);
    expect(JSON.parse(r.env.SPRING_APPLICATION_JSON ?? '')).toEqual({ chunkSize: '500', ...props });
  });
  it('reads the style from the deployer property, defaulting to exec', () => {
    expect(entryPointStyle(undefined)).toBe('exec');
    expect(entryPointStyle('Boot')).toBe('boot');
    expect(entryPointStyle('docker')).toEqual({ error: expect.stringContaining('exec, shell or boot') });
  });
});

describe('Spring datasource variables', () => {
  it('splits a PostgreSQL URL into the JDBC URL and the credentials', () => {
    expect(springDatasource('postgresql://bat%40ch:p%3Ass@db.local:5433/yard?sslmode=require')).toEqual({
      url: 'jdbc:postgresql://db.local:5433/yard?sslmode=require',
      username: 'bat@ch',
      password: 'p:ss',
      driverClassName: 'org.postgresql.Driver',
    });
    expect(() => springDatasource('mysql://x/y')).toThrow(/PostgreSQL/);
  });
  it('joins them back for the worker, credentials given apart or as URL parameters', () => {
    expect(postgresUrlFromJdbc('jdbc:postgresql://db.local:5433/yard', 'bat@ch', 'p:ss')).toBe(
      'postgresql://bat%40ch:p%3Ass@db.local:5433/yard',
    );
    expect(postgresUrlFromJdbc('jdbc:postgresql://h/d?user=u&password=p&sslmode=disable')).toBe(
      'postgresql://u:p@h/d?sslmode=disable',
    );
    expect(() => postgresUrlFromJdbc('jdbc:mysql://h/d')).toThrow(/jdbc:postgresql/);
  });
});
