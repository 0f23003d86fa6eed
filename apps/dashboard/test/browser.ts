/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { until } from '../../../test/setup/until.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../../server/test/harness.js';

export { until };

export const CHROMIUM = process.env.BATCHYARD_CHROMIUM ?? '/usr/bin/chromium';
export const SCRIPT = resolve(import.meta.dirname, '../../server/test/fixtures/scripted-task.mjs');
export const SAMPLE_MAIN = resolve(import.meta.dirname, '../../sample-task/dist/main.js');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Dashboard {
  server: TestServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations and page errors seen so far (must stay empty). */
  problems: string[];
  /** Every URL the browser asked for (pages, assets, API calls, event streams, workers). */
  requests: string[];
  goto(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface DashboardOptions extends TestServerOptions {
  /** Sent with every set-up request of the test (`server.request`): credentials when auth is on. */
  headers?: Record<string, string>;
}

/**
 * A real server (Fastify + PostgreSQL, local platform, the built dashboard) and a headless
 * Chromium page on it. Apps: `scripted` (the scripted fixture) and `settle` (the sample job).
 */
export async function openDashboard(
  env: NodeJS.ProcessEnv = {},
  options: DashboardOptions = {},
): Promise<Dashboard> {
  const work = await mkdtemp(join(tmpdir(), 'batchyard-browser-'));
  const { headers, ...serverOptions } = options;
  const server = await startTestServer(
    {
      BATCHYARD_PLATFORMS: JSON.stringify([
        { name: 'local', type: 'local', workDir: work, maxConcurrent: 4 },
      ]),
      BATCHYARD_REGISTER_SAMPLES: 'false',
      ...env,
    },
    serverOptions,
  );
  if (headers) {
    const request = server.request.bind(server);
    server.request = (method, path, body, extra) => request(method, path, body, { ...headers, ...extra });
  }
  for (const [name, command] of [
    ['scripted', ['node', SCRIPT]],
    ['settle', [process.execPath, SAMPLE_MAIN]],
  ] as const) {
    const r = await server.request('POST', `/apps/task/${name}/1.0`, { uri: `local:${name}`, command });
    if (r.status !== 201) throw new Error(`register ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    headless: true,
  });
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  context.on('request', (r) => void requests.push(r.url()));
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return {
    server,
    browser,
    context,
    page,
    problems,
    requests,
    async goto(path) {
      await page.goto(path);
      await page.locator('main h1').first().waitFor();
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** The requests that went anywhere but this machine (a CDN, a font service, telemetry): expected none. */
export function offMachine(urls: readonly string[]): string[] {
  return urls.filter((u) => {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return false;
    return !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it is now: the serious and critical violations (expected: none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(c: unknown, o: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function createDefinition(server: TestServer, name: string, definition: string): Promise<void> {
  const r = await server.request('POST', '/tasks/definitions', { name, definition });
  if (r.status !== 201) throw new Error(`definition ${name}: ${r.status} ${JSON.stringify(r.body)}`);
}

export interface Execution {
  id: number;
  status: string;
  taskName: string;
  jobExecutionIds: number[];
}

export async function launch(server: TestServer, name: string, args: string[] = []): Promise<Execution> {
  const r = await server.request<Execution>('POST', '/tasks/executions', { name, arguments: args });
  if (r.status !== 201) throw new Error(`launch ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const TERMINAL = ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'];
export const finished = (server: TestServer, id: number) =>
  until(
    () => server.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body),
    (e) => TERMINAL.includes(e.status),
    `execution ${id} to end`,
  );
