import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

interface Preview {
  taskName: string;
  composed: boolean;
  platformName: string | null;
  app: { name: string; version: string } | null;
  manifest: unknown;
  executionId: number;
}

const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));
/** The launch after the previews gets this id (set on TASK_SEQ), so its places in the manifest are known. */
const NEXT_ID = 987654;

const BODY = {
  name: 'hello',
  arguments: ['--api.token=arg-secret-1', '--day=2026-01-01'],
  properties: {
    'app.scripted.mode': 'fast',
    'deployer.scripted.environmentVariables': 'DB_PASSWORD=env-secret-2,GREETING=hi',
  },
};

describe('launch preview (dry run) on the local platform', () => {
  let s: TestServer;
  /** What a preview must leave alone: rows, audit records, idempotency claims, the id sequence. */
  const footprint = async () => {
    const [row] = await s.prisma.$queryRaw<{ e: bigint; a: bigint; i: bigint; seq: bigint }[]>`
      SELECT (SELECT count(*) FROM batchyard_task_execution) AS e,
             (SELECT count(*) FROM audit_record) AS a,
             (SELECT count(*) FROM idempotency_record) AS i,
             (SELECT last_value FROM task_seq) AS seq`;
    return {
      executions: Number(row!.e),
      audit: Number(row!.a),
      claims: Number(row!.i),
      seq: Number(row!.seq),
    };
  };
  const preview = (body: unknown, headers: Record<string, string> = {}) =>
    s.request<Preview & ErrorBody>('POST', '/tasks/executions/preview', body, headers);

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-preview-'));
    s = await startTestServer(
      { BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]) },
      // A key, so the DSL's secret-looking value is kept sealed in the definition.
      { yaml: { redaction: { encryptionKey: randomBytes(32).toString('base64') } } },
    );
    // A Spring app (the default): its manifest carries spring.cloud.task.executionid.
    await s.request('POST', '/apps/task/scripted/1.0', { uri: 'local:scripted', command: ['node', SCRIPT] });
    const def = await s.request('POST', '/tasks/definitions', {
      name: 'hello',
      definition: 'scripted --print=hi --db.password=dsl-secret-3',
    });
    expect(def.status).toBe(201);
    await s.request('POST', '/tasks/definitions', { name: 'both', definition: 'a: scripted && b: scripted' });
    await s.prisma.$executeRawUnsafe(`SELECT setval('task_seq', ${NEXT_ID - 1})`);
  });
  afterAll(() => s.close());

  it('shows the manifest the launch then records, secrets masked, and creates nothing', async () => {
    const before = await footprint();
    const r = await preview(BODY, { 'idempotency-key': 'a0c1e2f3-0000-4000-8000-000000000001' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      taskName: 'hello',
      composed: false,
      platformName: 'local',
      app: { name: 'scripted', version: '1.0' },
      executionId: 0,
    });
    const text = JSON.stringify(r.body);
    for (const secret of ['arg-secret-1', 'env-secret-2', 'dsl-secret-3', 'sealed:v1']) {
      expect(text).not.toContain(secret);
    }
    const manifest = r.body.manifest as { command: string[]; environment: string[] };
    expect(manifest.command).toContain('--db.password=******');
    expect(manifest.command).toContain('--api.token=******');
    expect(manifest.command).toContain('--spring.cloud.task.executionid=0');
    expect(manifest.environment).toContain('DB_PASSWORD'); // the name only, never the value
    expect(await footprint()).toEqual(before);

    const launched = await s.request<{ id: number }>('POST', '/tasks/executions', BODY);
    expect(launched.status).toBe(201);
    expect(launched.body.id).toBe(NEXT_ID);
    const stored = await until(
      () => s.request<{ manifest: unknown }>('GET', `/tasks/executions/${NEXT_ID}`).then((x) => x.body),
      (e) => e.manifest !== null,
      'the launch to record its manifest',
    );
    // The one difference: the launch's own execution id where the preview has 0.
    const asPreviewed = JSON.parse(JSON.stringify(stored.manifest).replaceAll(String(NEXT_ID), '0'));
    expect(asPreviewed).toEqual(r.body.manifest);
  });

  it('refuses what the launch refuses, naming the field', async () => {
    const before = await footprint();
    const bad = await preview({ ...BODY, properties: { 'deployer.scripted.noSuchKey': '1' } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]?.path).toBe('body.properties.deployer.scripted.noSuchKey');
    const version = await preview({ ...BODY, properties: { 'version.scripted': '9.9' } });
    expect(version.status).toBe(400);
    expect(version.body.details[0]?.path).toBe('body.properties.version.scripted');
    const platform = await preview({ ...BODY, platform: 'nowhere' });
    expect(platform.status).toBe(400);
    expect(platform.body.details.map((d) => d.path)).toContain('body.platform');
    const extra = await preview({ ...BODY, unknownField: 1 });
    expect(extra.status).toBe(400);
    expect((await preview({ ...BODY, name: 'missing' })).status).toBe(404);
    expect(await footprint()).toEqual(before);
  });

  it('is described in the OpenAPI document with its own response schema', async () => {
    const doc = await s.request<{
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>('GET', '/openapi.json');
    expect(doc.body.paths['/tasks/executions/preview']?.post?.responses).toHaveProperty('200');
    expect(Object.keys(doc.body.components.schemas.LaunchPreview?.properties ?? {})).toEqual(
      expect.arrayContaining(['manifest', 'platformName', 'app', 'composed', 'executionId']),
    );
  });

  it('a composed task has no manifest of its own, and its options are checked', async () => {
    const r = await preview({ name: 'both', arguments: [], properties: {} });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ composed: true, manifest: null, app: null });
    const bad = await preview({ name: 'both', properties: { 'composed.maxWaitTime': 'soon' } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]?.path).toMatch(/^body\.properties\./);
  });
});
