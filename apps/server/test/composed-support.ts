import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../../../test/setup/until.js';
import type { TestServer } from './harness.js';

export { until };

/** Helpers shared by the composed-task integration tests. */

export interface Execution {
  id: number;
  taskName: string;
  status: string;
  exitCode: number | null;
  exitMessage: string | null;
  arguments: string[];
  properties: Record<string, string>;
  parentExecutionId: number | null;
  platformType: string | null;
  startTime: string | null;
  endTime: string | null;
}

export const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));
export const TERMINAL = ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'];

export async function localPlatformEnv(): Promise<NodeJS.ProcessEnv> {
  const work = await mkdtemp(join(tmpdir(), 'batchyard-composed-'));
  return {
    BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work, maxConcurrent: 20 }]),
  };
}

/** Registers each name as a task app running the scripted fixture. */
export async function registerScripted(s: TestServer, names: string[]): Promise<void> {
  for (const name of names) {
    const r = await s.request('POST', `/apps/task/${name}/1.0`, {
      uri: `local:${name}`,
      command: ['node', SCRIPT],
    });
    if (r.status !== 201) throw new Error(`registering ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

export const getExecution = (s: TestServer, id: number) =>
  s.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);

export const finished = (s: TestServer, id: number, ms?: number) =>
  until(
    () => getExecution(s, id),
    (e) => TERMINAL.includes(e.status),
    `execution ${id} to end`,
    ms,
  );

/** The parent's children, oldest first. */
export async function childrenOf(s: TestServer, parentId: number): Promise<Execution[]> {
  const r = await s.request<{ items: Execution[] }>('GET', `/tasks/executions?parent=${parentId}&size=100`);
  return [...r.body.items].sort((a, b) => a.id - b.id);
}

export async function launch(s: TestServer, body: Record<string, unknown>): Promise<Execution> {
  const r = await s.request<Execution>('POST', '/tasks/executions', body);
  if (r.status !== 201) throw new Error(`launch: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
