import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jarCommand, jarPath } from './jar-command.js';

describe('jar URIs on the local platform', () => {
  it.each([
    ['file:/opt/apps/etl.jar', '/opt/apps/etl.jar'],
    ['file:///opt/apps/etl.jar', '/opt/apps/etl.jar'],
    ['maven://com.acme.batch:etl:1.2.0', '/repo/com/acme/batch/etl/1.2.0/etl-1.2.0.jar'],
    ['maven://com.acme:etl:jar:1.2.0', '/repo/com/acme/etl/1.2.0/etl-1.2.0.jar'],
    ['maven://com.acme:etl:jar:exec:1.2.0', '/repo/com/acme/etl/1.2.0/etl-1.2.0-exec.jar'],
  ])('%s → %s', (uri, path) => {
    expect(jarPath(uri, '/repo')).toBe(path);
  });
  it.each(['docker:acme/etl:1.0', 'local:etl', 'file:/opt/apps/etl.sh', 'maven://com.acme'])(
    '%s is not a jar',
    (uri) => {
      expect(jarPath(uri, '/repo')).toBeUndefined();
    },
  );
  it('runs an existing jar with java -jar and names a missing one', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'm2-'));
    await mkdir(join(repo, 'com/acme/etl/1.0'), { recursive: true });
    await writeFile(join(repo, 'com/acme/etl/1.0/etl-1.0.jar'), 'PK');
    expect(
      jarCommand('maven://com.acme:etl:1.0', { mavenLocalRepository: repo, java: '/usr/bin/java' }),
    ).toEqual(['/usr/bin/java', '-jar', join(repo, 'com/acme/etl/1.0/etl-1.0.jar')]);
    expect(jarCommand('maven://com.acme:etl:2.0', { mavenLocalRepository: repo })).toEqual({
      missing: join(repo, 'com/acme/etl/2.0/etl-2.0.jar'),
    });
    expect(jarCommand('docker:acme/etl:1.0')).toBeUndefined();
  });
});
