import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../src/cli/client.js';
import { importScdf } from '../src/import/scdf-import.js';
import { localPlatformEnv, SCRIPT } from './composed-support.js';
import { startTestServer, type TestServer } from './harness.js';

// `batchyard import scdf`: recorded SCDF REST responses (HAL, paged, built from SCDF's documented
// shapes) served on 127.0.0.1, imported into a real Batchyard server: dry run, apply, apply again.

const FIXTURES = fileURLToPath(new URL('./fixtures/scdf/', import.meta.url));

async function fixture(name: string, base: string): Promise<string> {
  return (await readFile(join(FIXTURES, name), 'utf8')).replaceAll('{{BASE}}', base);
}

describe('import scdf', () => {
  let scdf: Server;
  let base: string;
  let s: TestServer;
  let client: ApiClient;
  const requests: string[] = [];

  beforeAll(async () => {
    scdf = createServer((req, res) => {
      const url = new URL(req.url ?? '/', base);
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const file =
        url.pathname === '/apps'
          ? url.searchParams.get('page') === '1'
            ? 'apps-page-1.json'
            : 'apps-page-0.json'
          : url.pathname === '/tasks/definitions'
            ? 'task-definitions.json'
            : url.pathname === '/tasks/schedules'
              ? 'task-schedules.json'
              : undefined;
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      void fixture(file, base).then((body) =>
        res.writeHead(200, { 'content-type': 'application/hal+json' }).end(body),
      );
    });
    await new Promise<void>((resolve) => scdf.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(scdf.address() as AddressInfo).port}`;
    s = await startTestServer(await localPlatformEnv());
    client = new ApiClient(s.url);
    // Already here, the same as in SCDF, with a local command so its schedule can run here.
    await s.request('POST', '/apps/task/timestamp/2.0.2', {
      uri: 'docker:springcloudtask/timestamp-task:2.0.2',
      command: ['node', SCRIPT],
    });
  });
  afterAll(async () => {
    await s.close();
    await new Promise((resolve) => scdf.close(resolve));
  });

  const names = async () =>
    (await s.request<{ items: { name: string }[] }>('GET', '/tasks/definitions?size=100')).body.items
      .map((d) => d.name)
      .sort();

  it('dry run (the default) reads every page, reports, and writes nothing', async () => {
    const report = await importScdf(client, { from: base, apply: false });
    expect(requests).toContain('GET /apps?page=1&size=2');
    expect(report.applied).toBe(false);
    expect(report.wouldCreate).toEqual([
      { kind: 'app', name: 'task:batch-job:1.4.0' },
      { kind: 'definition', name: 'ts' },
      { kind: 'definition', name: 'ctr' },
      { kind: 'definition', name: 'jumpy' },
      { kind: 'definition', name: 'streamish' },
      { kind: 'schedule', name: 'nightly-ts' },
    ]);
    expect(report.notCarriedOver).toEqual([
      {
        kind: 'app',
        name: 'sink:log:3.2.1',
        reason: 'a sink app: Batchyard runs tasks and batch jobs, not streams',
      },
      { kind: 'schedule', name: 'no-cron', reason: 'no cron expression in its properties' },
    ]);
    expect(report.unchanged.map((u) => u.name)).toEqual([
      'task:timestamp:2.0.2',
      'ctr-timestamp',
      'ctr-batch-job',
    ]);
    expect(await names()).toEqual([]);
  });

  it('--apply creates apps, definitions (composed and secondary sequences too) and schedules; refusals are reported', async () => {
    const report = await importScdf(client, { from: base, apply: true });
    expect(report.created.map((c) => c.name)).toEqual([
      'task:batch-job:1.4.0',
      'ts',
      'ctr',
      'jumpy',
      'nightly-ts',
    ]);
    const refused = report.notCarriedOver.find((n) => n.name === 'streamish');
    expect(refused?.reason).toMatch(/^400 /);
    expect(await names()).toEqual([
      'ctr',
      'ctr-batch-job',
      'ctr-timestamp',
      'jumpy',
      'jumpy-batch-job',
      'jumpy-first',
      'jumpy-side',
      'ts',
    ]);
    const schedule = await s.request<{ cron: string; taskDefinitionName: string }>(
      'GET',
      '/tasks/schedules/nightly-ts',
    );
    expect(schedule.body).toMatchObject({ cron: '0 2 * * *', taskDefinitionName: 'ts' });
  });

  it('applying again changes nothing: every item is unchanged or reported', async () => {
    const report = await importScdf(client, { from: base, apply: true });
    expect(report.created).toEqual([]);
    expect(report.unchanged.map((u) => u.name)).toEqual([
      'task:timestamp:2.0.2',
      'task:batch-job:1.4.0',
      'ts',
      'ctr',
      'ctr-timestamp',
      'ctr-batch-job',
      'jumpy',
      'nightly-ts',
    ]);
    expect(report.notCarriedOver.map((n) => n.name)).toEqual(['sink:log:3.2.1', 'no-cron', 'streamish']);
  });

  it('reads a directory of saved documents and the shell app import file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scdf-export-'));
    const pages = await Promise.all(['apps-page-0.json', 'apps-page-1.json'].map((f) => fixture(f, base)));
    await writeFile(join(dir, 'apps.json'), `[${pages.join(',')}]`);
    await writeFile(join(dir, 'task-definitions.json'), await fixture('task-definitions.json', base));
    await writeFile(
      join(dir, 'apps.properties'),
      '# shell export\ntask.extra=docker:acme/extra:2.1\ntask.extra.metadata=docker:acme/extra-meta:2.1\n',
    );
    const report = await importScdf(client, { from: dir, apply: false });
    expect(report.wouldCreate).toEqual([
      { kind: 'app', name: 'task:extra:2.1' },
      { kind: 'definition', name: 'streamish' },
    ]);
    expect(report.problems).toEqual([]);
  });

  it('an SCDF server that fails is reported, not thrown', async () => {
    const report = await importScdf(client, { from: `${base}/nowhere`, apply: false });
    expect(report.problems).toHaveLength(3);
    expect(report.problems[0]).toMatch(/^apps: GET .*404/);
  });
});
