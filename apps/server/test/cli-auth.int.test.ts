import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokenService } from '../src/auth/api-tokens.js';
import { ROLES } from '../src/auth/roles.js';
import { runCli } from './cli-process.js';
import { startTestServer, type TestServer } from './harness.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));

// The real `batchyard` binary against a real server with authentication on (API tokens).
describe('the batchyard CLI against a server that requires a token', { timeout: 120_000 }, () => {
  let s: TestServer;
  let admin = '';

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-cli-auth-'));
    s = await startTestServer({
      BATCHYARD_AUTH_TOKENS_ENABLED: 'true',
      BATCHYARD_REGISTER_SAMPLES: 'false',
      BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
      BATCHYARD_PLATFORMS: JSON.stringify([
        { name: 'default', type: 'local', workDir: work, maxConcurrent: 4 },
      ]),
    });
    // The first token comes from the server side (`batchyard token create admin --roles ALL`).
    admin = (await new ApiTokenService(s.prisma).create({ name: 'admin', roles: [...ROLES] }, 'test')).token;
    const as = { BATCHYARD_TOKEN: admin };
    const reg = await runCli(
      s.url,
      ['apps', 'register', 'task', 'scripted', '1.0', 'local:scripted', '--command', `node ${SCRIPT}`],
      as,
    );
    expect(reg.stderr).toBe('');
    expect(reg.code).toBe(0);
    expect((await runCli(s.url, ['tasks', 'create', 'hello', 'scripted --print=hi'], as)).code).toBe(0);
  });
  afterAll(() => s?.close());

  it('without a token: 401, a hint naming --token and $BATCHYARD_TOKEN, and a nonzero exit', async () => {
    const r = await runCli(s.url, ['tasks', 'list']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^batchyard: 401 /);
    expect(r.stderr).toContain('--token <token>');
    expect(r.stderr).toContain('$BATCHYARD_TOKEN');
    // A refused token gets a different hint: it was passed, but is not (or no longer) valid.
    const bad = await runCli(s.url, ['tasks', 'list', '--token', 'bya_1_not-a-real-token']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^batchyard: 401 /);
    expect(bad.stderr).toContain('the token was refused');
  });

  it('a token created through the API works, by flag and by environment', async () => {
    const created = await s.request<{ token: string }>(
      'POST',
      '/auth/tokens',
      { name: 'ci', roles: ['VIEW', 'DEPLOY'] },
      { authorization: `Bearer ${admin}` },
    );
    expect(created.status).toBe(201);
    const ci = created.body.token;
    const listed = await runCli(s.url, ['tasks', 'list', '-o', 'json', '--token', ci]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ items: [{ name: 'hello' }] });
    const launched = await runCli(s.url, ['tasks', 'launch', 'hello', '-o', 'json'], { BATCHYARD_TOKEN: ci });
    expect(launched.stderr).toBe('');
    expect(launched.code).toBe(0);
    expect(JSON.parse(launched.stdout)).toMatchObject({ taskName: 'hello' });
  });

  it('a VIEW-only token lists but is refused the launch: 403 naming the role, with a hint', async () => {
    const created = await s.request<{ token: string }>(
      'POST',
      '/auth/tokens',
      { name: 'viewer', roles: ['VIEW'] },
      { authorization: `Bearer ${admin}` },
    );
    const viewer = { BATCHYARD_TOKEN: created.body.token };
    expect((await runCli(s.url, ['tasks', 'list'], viewer)).code).toBe(0);
    const r = await runCli(s.url, ['tasks', 'launch', 'hello'], viewer);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^batchyard: 403 .*DEPLOY/);
    expect(r.stderr).toContain('lacks the role');
    const count = await s.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM task_execution');
    expect(Number(count[0]?.n)).toBe(1); // only the DEPLOY token's launch
  });
});
