import { createServer, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { loadConfig } from '../src/config.js';
import { PortInUseError } from '../src/port-check.js';
import { type RunningServer, startServer } from '../src/server.js';

/** Everything a logger wrote, line by line. */
function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (d: string) => {
    text += d;
  });
  return { stream, lines: () => text.split('\n').filter(Boolean) };
}

// The real `batchyard server` start-up (startServer) over a real database, its log captured.
describe('server output for people and machines', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  const env = (extra: NodeJS.ProcessEnv) =>
    loadConfig({
      DATABASE_URL: db.url,
      BATCHYARD_PORT: '0',
      BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
      ...extra,
    });

  describe('JSON (the default off a terminal)', () => {
    const log = capture();
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(env({}), { logDestination: log.stream });
    });
    afterAll(() => server?.close());

    it('says where the server, dashboard, API explorer and database are in three lines, and the configuration only at debug', () => {
      const events = log.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
      const messages = events.map((e) => String(e.msg));
      const banner = messages.slice(messages.findIndex((m) => m.startsWith('batchyard is listening')));
      expect(banner.slice(0, 3)).toEqual([
        `batchyard is listening on ${server.url} (dashboard ${server.url}/)`,
        `API explorer ${server.url}/docs, OpenAPI ${server.url}/openapi.json`,
        expect.stringMatching(/^database: PostgreSQL at postgres(ql)?:\/\/.*127\.0\.0\.1/),
      ]);
      expect(events.some((e) => 'config' in e)).toBe(false);
      expect(JSON.stringify(events)).not.toContain(new URL(db.url).password || '\u0000never');
    });

    it('logs one line per request with method, route, status and duration; health and metrics stay quiet', async () => {
      const before = log.lines().length;
      await fetch(`${server.url}/tasks/definitions?size=1`);
      await fetch(`${server.url}/tasks/executions/12345`);
      await fetch(`${server.url}/health/live`);
      await fetch(`${server.url}/metrics`);
      await fetch(`${server.url}/no/such/route`);
      await new Promise((r) => setImmediate(r));
      const lines = log
        .lines()
        .slice(before)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => [l.msg, l.method, l.route, l.status])).toEqual([
        [expect.stringMatching(/^GET \/tasks\/definitions 200 [\d.]+ms$/), 'GET', '/tasks/definitions', 200],
        [
          expect.stringMatching(/^GET \/tasks\/executions\/:id 404 [\d.]+ms$/),
          'GET',
          '/tasks/executions/:id',
          404,
        ],
        [expect.stringMatching(/^GET \/no\/such\/route 404 /), 'GET', '/no/such/route', 404],
      ]);
      for (const l of lines) expect(typeof l.ms).toBe('number');
    });
  });

  it('writes one readable line per event with BATCHYARD_LOG_FORMAT=pretty', async () => {
    const log = capture();
    const server = await startServer(env({ BATCHYARD_LOG_FORMAT: 'pretty' }), { logDestination: log.stream });
    try {
      await fetch(`${server.url}/tasks/definitions`);
      await new Promise((r) => setImmediate(r));
    } finally {
      await server.close();
    }
    const lines = log.lines();
    for (const l of lines) expect(l).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR|DEBUG): /);
    expect(lines).toContainEqual(
      expect.stringMatching(/INFO: batchyard is listening on http:\/\/127\.0\.0\.1:\d+ \(dashboard /),
    );
    // The request line says it all in its message: no JSON tail.
    expect(lines).toContainEqual(expect.stringMatching(/INFO: GET \/tasks\/definitions 200 [\d.]+ms$/));
  });

  describe('a busy port', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      port = (blocker.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

    it('is reported first, before the database is touched', async () => {
      // A database nobody listens on: had start-up reached it, the error would be a connection error.
      const config = loadConfig({
        DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none',
        BATCHYARD_HOST: '127.0.0.1',
        BATCHYARD_PORT: String(port),
      });
      const log = capture();
      const error = await startServer(config, { logDestination: log.stream }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortInUseError);
      expect((error as Error).message).toBe(
        `port ${port} on 127.0.0.1 is already in use (another batchyard server?); stop it, or choose another port with BATCHYARD_PORT (server.port)`,
      );
      expect(log.lines()).toEqual([]);
    });
  });
});
