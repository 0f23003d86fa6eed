import { describe, expect, it } from 'vitest';
import { parseDeployerProperties } from './deployer-properties.js';
import { emptyDeployerProperties } from './deployer-types.js';
import { buildJob, type JobBuildInput } from './job-builder.js';
import { sanitizeManifest } from './sanitize.js';

const base: JobBuildInput = {
  executionId: 42,
  taskName: 'nightly-import',
  appName: 'etl',
  accountName: 'default',
  namespace: 'batch',
  image: 'acme/etl:1.0',
  args: ['--spring.cloud.task.executionid=42', 'run.id=1'],
  databaseSecret: { name: 'batchyard-db', key: 'url' },
  properties: emptyDeployerProperties(),
};
const container = (input: JobBuildInput) => buildJob(input).spec?.template.spec?.containers[0];

describe('buildJob for Spring apps', () => {
  const springDatasource = {
    name: 'batchyard-db',
    urlKey: 'jdbc-url',
    usernameKey: 'username',
    passwordKey: 'password',
  };

  it('gives SPRING_DATASOURCE_* as secretKeyRefs, never as values, and the driver class', () => {
    const env = container({ ...base, springDatasource })?.env ?? [];
    const ref = (key: string) => ({ secretKeyRef: { name: 'batchyard-db', key, optional: true } });
    expect(env.filter((e) => e.name.startsWith('SPRING_DATASOURCE_'))).toEqual([
      { name: 'SPRING_DATASOURCE_URL', valueFrom: ref('jdbc-url') },
      { name: 'SPRING_DATASOURCE_USERNAME', valueFrom: ref('username') },
      { name: 'SPRING_DATASOURCE_PASSWORD', valueFrom: ref('password') },
      { name: 'SPRING_DATASOURCE_DRIVER_CLASS_NAME', value: 'org.postgresql.Driver' },
    ]);
    expect(JSON.stringify(sanitizeManifest(buildJob({ ...base, springDatasource })))).not.toMatch(
      /jdbc:|password=/,
    );
  });

  it('an app without the contract gets no SPRING_DATASOURCE_*; the launch cannot override them', () => {
    expect((container(base)?.env ?? []).some((e) => e.name.startsWith('SPRING_'))).toBe(false);
    const properties = parseDeployerProperties([
      { environmentVariables: 'SPRING_DATASOURCE_URL=jdbc:postgresql://x/y' },
    ]);
    expect(() => buildJob({ ...base, springDatasource, properties })).toThrow(/set by Batchyard/);
  });

  it('containerCommand replaces the entry point; entryPointStyle is accepted', () => {
    const properties = parseDeployerProperties([
      { containerCommand: '["java","-jar","/app.jar"]', entryPointStyle: 'shell' },
    ]);
    expect(container({ ...base, properties })).toMatchObject({
      command: ['java', '-jar', '/app.jar'],
      args: base.args,
    });
    expect(parseDeployerProperties([{ containerCommand: 'sh,-c' }]).containerCommand).toEqual(['sh', '-c']);
    expect(container(base)).not.toHaveProperty('command');
  });

  it('refuses a bad entryPointStyle or containerCommand, naming the key', () => {
    expect(() => parseDeployerProperties([{ entryPointStyle: 'docker' }])).toThrow(
      /entryPointStyle: 'docker'/,
    );
    expect(() => parseDeployerProperties([{ containerCommand: '[1]' }])).toThrow(/containerCommand/);
  });
});
