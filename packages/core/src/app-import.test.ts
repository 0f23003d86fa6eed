import { describe, expect, it } from 'vitest';
import { parseAppImport, versionFromUri } from './app-import.js';

describe('versionFromUri', () => {
  it.each([
    ['docker:springcloudtask/timestamp-task:2.1.1', '2.1.1'],
    ['docker://registry:5000/acme/etl:1.0', '1.0'],
    ['docker:acme/etl', 'latest'],
    ['docker:acme/etl:1.0@sha256:abc', '1.0'],
    ['local:/opt/etl', 'latest'],
  ])('%s → %s', (uri, version) => {
    expect(versionFromUri(uri)).toBe(version);
  });
});

describe('parseAppImport', () => {
  it('reads apps, explicit versions and metadata, ignoring comments', () => {
    const { apps, problems } = parseAppImport(
      '# comment\n! also\n\ntask.etl=docker:acme/etl:1.0\ntask.etl.metadata=docker:acme/etl-meta:1.0\ntask.rep@2.0=docker:acme/rep\n',
    );
    expect(problems).toEqual([]);
    expect(apps).toEqual([
      {
        type: 'task',
        name: 'etl',
        version: '1.0',
        uri: 'docker:acme/etl:1.0',
        metadataUri: 'docker:acme/etl-meta:1.0',
        line: 4,
      },
      { type: 'task', name: 'rep', version: '2.0', uri: 'docker:acme/rep', line: 6 },
    ]);
  });

  it('reports each bad line with its number', () => {
    const { problems } = parseAppImport(
      'task.ok=docker:a:1\nnot a property\na.b.c.d=x\ntask.ghost.metadata=docker:m:1',
    );
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(problems[2]?.message).toContain("metadata for 'task.ghost'");
  });
});
