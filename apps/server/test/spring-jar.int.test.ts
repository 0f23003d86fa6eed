import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import type { ErrorBody, TestServer } from './harness.js';
import { startTestServer } from './harness.js';

/**
 * Spring Boot jars on the local platform, registered as SCDF users register them: `maven://` (from
 * the configured local repository, nothing downloaded) and `file:`, run as `java -jar`. The java
 * here is a stand-in script that prints what it was given (there is no JVM on this machine).
 */

/** A zip (jar) of `entries`, deflated or stored, as a build tool writes it. */
function zip(entries: Record<string, string>, deflate = true): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.from(content);
    const body = deflate ? deflateRawSync(data) : data;
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(deflate ? 8 : 0, 10);
    dir.writeUInt32LE(crc32(data), 16);
    dir.writeUInt32LE(body.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(n.length, 28);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, n, body);
    central.push(dir, n);
    offset += 30 + n.length + body.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dirBytes, end]);
}

const METADATA = JSON.stringify({
  groups: [{ name: 'importer', type: 'com.acme.ImporterProperties' }],
  properties: [
    {
      name: 'importer.input',
      type: 'java.lang.String',
      description: 'File to read.',
      sourceType: 'com.acme.ImporterProperties',
    },
    {
      name: 'importer.chunk-size',
      type: 'java.lang.Integer',
      description: 'Items per chunk.',
      defaultValue: 100,
    },
  ],
});

interface Execution {
  id: number;
  status: string;
  exitCode: number | null;
  manifest?: { command: string[] };
}

describe('maven:// and file: jars on the local platform', () => {
  let s: TestServer;
  let repo: string;
  let jar: string;
  let metadataJar: string;
  const finished = (id: number) =>
    until(
      () => s.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body),
      (e) => ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(e.status),
      `execution ${id} to end`,
    );

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batchyard-jar-'));
    repo = join(dir, 'm2');
    await mkdir(join(repo, 'com/acme/import-job/1.0'), { recursive: true });
    jar = join(repo, 'com/acme/import-job/1.0/import-job-1.0.jar');
    // The app jar is a Spring Boot fat jar: its metadata under BOOT-INF/classes (stored entries).
    await writeFile(
      jar,
      zip({ 'BOOT-INF/classes/META-INF/spring-configuration-metadata.json': METADATA }, false),
    );
    await writeFile(
      join(dir, 'importer-metadata.jar'),
      zip({
        'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
        'META-INF/spring-configuration-metadata.json': METADATA,
      }),
    );
    metadataJar = join(dir, 'importer-metadata.jar');
    const java = join(dir, 'java');
    await writeFile(java, '#!/bin/sh\necho "java $*"\n');
    await chmod(java, 0o755);
    s = await startTestServer({
      BATCHYARD_PLATFORMS: JSON.stringify([
        { name: 'local', type: 'local', workDir: join(dir, 'work'), mavenLocalRepository: repo, java },
      ]),
    });
    for (const [name, uri] of [
      ['importer', 'maven://com.acme:import-job:1.0'],
      ['filed', `file:${jar}`],
      ['absent', 'maven://com.acme:import-job:9.9'],
    ]) {
      expect((await s.request('POST', `/apps/task/${name}/1.0`, { uri })).status).toBe(201);
      await s.request('POST', '/tasks/definitions', { name: `${name}-task`, definition: name });
    }
  });
  afterAll(() => s.close());

  it.each(['importer', 'filed'])('%s runs as java -jar <jar> with the Spring contract', async (name) => {
    const r = await s.request<Execution>('POST', '/tasks/executions', {
      name: `${name}-task`,
      arguments: ['run.id=1'],
    });
    expect(r.status).toBe(201);
    const done = await finished(r.body.id);
    expect(done).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    expect(done.manifest?.command.slice(1, 3)).toEqual(['-jar', jar]);
    const logs = await fetch(`${s.url}/tasks/executions/${r.body.id}/logs`).then((x) => x.text());
    expect(logs).toContain(`java -jar ${jar} --spring.cloud.task.executionid=${r.body.id}`);
    expect(logs).toContain('run.id=1');
  });

  it("lists an app's options from META-INF/spring-configuration-metadata.json of its metadata jar or its own jar", async () => {
    const expected = [
      {
        name: 'importer.chunk-size',
        type: 'java.lang.Integer',
        description: 'Items per chunk.',
        defaultValue: 100,
        sourceType: null,
      },
      {
        name: 'importer.input',
        type: 'java.lang.String',
        description: 'File to read.',
        defaultValue: null,
        sourceType: 'com.acme.ImporterProperties',
      },
    ];
    // From the app jar itself (maven://, a fat jar).
    expect((await s.request<{ options?: unknown[] }>('GET', '/apps/task/importer')).body.options).toEqual(
      expected,
    );
    // From a metadata jar (SCDF's metadataUri), deflated.
    await s.request('POST', '/apps/task/meta/1.0', {
      uri: 'docker:acme/import-job:1.0',
      metadataUri: `file:${metadataJar}`,
    });
    expect((await s.request<{ options?: unknown[] }>('GET', '/apps/task/meta')).body.options).toEqual(
      expected,
    );
    // A docker: image without a metadata jar: no options listed.
    await s.request('POST', '/apps/task/plain/1.0', { uri: 'docker:acme/plain:1.0' });
    expect((await s.request<{ options?: unknown[] }>('GET', '/apps/task/plain')).body).not.toHaveProperty(
      'options',
    );
  });

  it('a maven:// artifact missing from the local repository is a 400 naming the jar', async () => {
    const r = await s.request<ErrorBody>('POST', '/tasks/executions', { name: 'absent-task' });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('import-job-9.9.jar');
    expect(r.body.details[0]?.path).toBe('body.name');
  });
});
