import { describe, expect, it } from 'vitest';
import { parseImage } from './image-labels.js';

describe('parseImage', () => {
  it.each([
    ['docker:acme/etl:1.0', { registry: 'registry-1.docker.io', repository: 'acme/etl', reference: '1.0' }],
    ['docker:etl', { registry: 'registry-1.docker.io', repository: 'library/etl', reference: 'latest' }],
    [
      'docker:docker.io/acme/etl:2',
      { registry: 'registry-1.docker.io', repository: 'acme/etl', reference: '2' },
    ],
    [
      'docker:ghcr.io/acme/team/etl@sha256:abc',
      { registry: 'ghcr.io', repository: 'acme/team/etl', reference: 'sha256:abc' },
    ],
    [
      'docker:127.0.0.1:5000/acme/etl:1.0',
      { registry: '127.0.0.1:5000', repository: 'acme/etl', reference: '1.0' },
    ],
    ['docker:localhost/etl', { registry: 'localhost', repository: 'etl', reference: 'latest' }],
  ])('%s', (uri, ref) => {
    expect(parseImage(uri)).toEqual(ref);
  });
});
