import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_LABEL } from '../src/spring/image-labels.js';
import { startTestServer, type TestServer } from './harness.js';

/**
 * SCDF's metadata label on a docker: app's image, read from a registry through the Docker Registry
 * HTTP API v2: a registry on loopback (this file's, speaking the API's token challenge, a
 * multi-platform index and the config blob) serves an image whose label lists two options.
 */

const METADATA = JSON.stringify({
  properties: [
    { name: 'etl.chunk-size', type: 'java.lang.Integer', description: 'Items per chunk.', defaultValue: 100 },
    { name: 'etl.input', type: 'java.lang.String', description: 'Input file.' },
  ],
});

function registry(): Promise<{ server: Server; host: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    requests.push(req.url ?? '');
    const host = req.headers.host;
    const json = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(body));
    };
    if (req.url?.startsWith('/token')) return json(200, { token: 't0k' });
    if (req.headers.authorization !== 'Bearer t0k') {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${host}/token",service="registry.test",scope="repository:acme/etl:pull"`,
      });
      return res.end();
    }
    switch (req.url) {
      case '/v2/acme/etl/manifests/1.0':
        return json(200, {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [
            { digest: 'sha256:arm', platform: { os: 'linux', architecture: 'arm64' } },
            { digest: 'sha256:amd', platform: { os: 'linux', architecture: 'amd64' } },
          ],
        });
      case '/v2/acme/etl/manifests/sha256:amd':
        return json(200, { schemaVersion: 2, config: { digest: 'sha256:cfg' } });
      case '/v2/acme/etl/blobs/sha256:cfg':
        return json(200, { config: { Labels: { [METADATA_LABEL]: METADATA, other: 'x' } } });
      case '/v2/acme/plain/manifests/1.0':
        return json(200, { schemaVersion: 2, config: { digest: 'sha256:plain' } });
      case '/v2/acme/plain/blobs/sha256:plain':
        return json(200, { config: { Labels: {} } });
      default:
        return json(404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests }),
    ),
  );
}

describe("docker: apps' options from SCDF's image label", () => {
  let s: TestServer;
  let reg: Awaited<ReturnType<typeof registry>>;
  beforeAll(async () => {
    reg = await registry();
    s = await startTestServer({ BATCHYARD_APPS_READ_IMAGE_LABELS: 'true' });
    for (const [name, image] of [
      ['etl', 'acme/etl:1.0'],
      ['plain', 'acme/plain:1.0'],
      ['gone', 'acme/gone:1.0'],
    ]) {
      const r = await s.request('POST', `/apps/task/${name}/1.0`, { uri: `docker:${reg.host}/${image}` });
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => {
    await s.close();
    await new Promise((r) => reg.server.close(r));
  });

  it('lists the options the label holds (token challenge, index → linux/amd64, config blob)', async () => {
    const app = await s.request<{ options?: { name: string; type: string | null; defaultValue: unknown }[] }>(
      'GET',
      '/apps/task/etl',
    );
    expect(app.body.options).toEqual([
      expect.objectContaining({ name: 'etl.chunk-size', type: 'java.lang.Integer', defaultValue: 100 }),
      expect.objectContaining({ name: 'etl.input', type: 'java.lang.String', defaultValue: null }),
    ]);
    expect(reg.requests).toContain('/v2/acme/etl/manifests/sha256:amd');
    // Read once: a second GET is served from the cache.
    const before = reg.requests.length;
    await s.request('GET', '/apps/task/etl');
    expect(reg.requests.length).toBe(before);
  });

  it('an image without the label, or one the registry does not have, has no options (and no error)', async () => {
    for (const name of ['plain', 'gone']) {
      const app = await s.request<{ options?: unknown }>('GET', `/apps/task/${name}`);
      expect(app.status).toBe(200);
      expect(app.body).not.toHaveProperty('options');
    }
  });

  it('off by default: no registry is asked', async () => {
    const quiet = await startTestServer();
    try {
      await quiet.request('POST', '/apps/task/etl/1.0', { uri: `docker:${reg.host}/acme/etl:1.0` });
      const before = reg.requests.length;
      expect((await quiet.request('GET', '/apps/task/etl')).body).not.toHaveProperty('options');
      expect(reg.requests.length).toBe(before);
    } finally {
      await quiet.close();
    }
  });
});
