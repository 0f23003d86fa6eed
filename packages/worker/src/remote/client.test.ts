import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneClient, ControlPlaneError } from './client.js';

// A real HTTP server stands for the control plane and records what each request presented.
describe('ControlPlaneClient credentials', () => {
  let server: Server;
  let url = '';
  const seen: (string | undefined)[] = [];
  const noSleep = async () => {};

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push(req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ items: [], done: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the token file at every request, so a token the kubelet rotated is the one sent', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'by-token-')), 'token');
    writeFileSync(file, 'first-token\n');
    const client = new ControlPlaneClient(
      { url, token: undefined, tokenFile: file, taskExecutionId: 7 },
      noSleep,
    );
    seen.length = 0;
    await client.wait(0);
    writeFileSync(file, 'rotated-token\n');
    await client.wait(0);
    expect(seen).toEqual(['Bearer first-token', 'Bearer rotated-token']);
  });

  it('prefers a task token given in the environment over the file', async () => {
    const client = new ControlPlaneClient(
      { url, token: 'byt_7_x', tokenFile: '/nonexistent/token', taskExecutionId: 7 },
      noSleep,
    );
    seen.length = 0;
    await client.stop();
    expect(seen).toEqual(['Bearer byt_7_x']);
  });

  it('fails at once, naming the file, when the token file cannot be read', async () => {
    const client = new ControlPlaneClient(
      { url, token: undefined, tokenFile: '/nonexistent/batchyard/token', taskExecutionId: 7 },
      noSleep,
    );
    seen.length = 0;
    const err = await client.launch([1]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlPlaneError);
    expect((err as Error).message).toContain('/nonexistent/batchyard/token');
    expect(seen).toEqual([]);
  });
});
