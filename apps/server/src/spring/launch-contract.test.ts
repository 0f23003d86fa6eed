import { describe, expect, it } from 'vitest';
import type { LaunchSpec } from '../platform/types.js';
import { withSpringContract } from './launch-contract.js';

const spec: LaunchSpec = {
  executionId: 42,
  taskName: 'nightly-etl',
  appName: 'etl',
  appVersion: '1.0',
  uri: 'docker:acme/etl:1.0',
  command: null,
  args: ['--chunkSize=500', 'run.id=3,long'],
  deployer: {},
  springContract: true,
  parentExecutionId: 7,
};

describe('withSpringContract', () => {
  it('exec (default): the spring.cloud.task properties as arguments before the launch arguments', () => {
    expect(withSpringContract(spec).args).toEqual([
      '--spring.cloud.task.executionid=42',
      '--spring.cloud.task.name=nightly-etl',
      '--spring.cloud.task.parent-execution-id=7',
      '--spring.cloud.task.initialize-enabled=false',
      '--chunkSize=500',
      'run.id=3,long',
    ]);
  });
  it('shell: as environment variables, with the --key=value arguments; job parameters stay', () => {
    const r = withSpringContract({ ...spec, deployer: { entryPointStyle: 'shell' }, env: { TZ: 'UTC' } });
    expect(r.args).toEqual(['run.id=3,long']);
    expect(r.env).toEqual({
      TZ: 'UTC',
      CHUNKSIZE: '500',
      SPRING_CLOUD_TASK_EXECUTIONID: '42',
      SPRING_CLOUD_TASK_NAME: 'nightly-etl',
      SPRING_CLOUD_TASK_PARENT_EXECUTION_ID: '7',
      SPRING_CLOUD_TASK_INITIALIZE_ENABLED: 'false',
    });
  });
  it('boot: SPRING_APPLICATION_JSON', () => {
    const r = withSpringContract({ ...spec, deployer: { entryPointStyle: 'boot' }, parentExecutionId: null });
    expect(JSON.parse(r.env?.SPRING_APPLICATION_JSON ?? '{}')).toEqual({
      chunkSize: '500',
      'spring.cloud.task.executionid': '42',
      'spring.cloud.task.name': 'nightly-etl',
      'spring.cloud.task.initialize-enabled': 'false',
    });
  });
  it("the job repository's table prefixes, when they are not Spring's defaults", () => {
    const args = withSpringContract(spec, { batch: 'BOOT3_BATCH_', task: 'BOOT3_TASK_' }).args;
    expect(args).toContain('--spring.batch.jdbc.table-prefix=BOOT3_BATCH_');
    expect(args).toContain('--spring.cloud.task.tablePrefix=BOOT3_TASK_');
    expect(withSpringContract(spec).args.join(' ')).not.toContain('prefix');
  });
  it('an app registered without the contract is launched unchanged', () => {
    expect(withSpringContract({ ...spec, springContract: false })).toEqual({
      ...spec,
      springContract: false,
    });
  });
});
