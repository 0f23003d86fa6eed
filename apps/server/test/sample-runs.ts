import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { until } from '../../../test/setup/until.js';
import { startTestServer, type TestServer } from './harness.js';

export { until };

/** The built sample job (npm run build first), launched by the server's local platform. */
export const SAMPLE_MAIN = resolve(import.meta.dirname, '../../sample-task/dist/main.js');
export const TASK = 'settle-demo';

export interface TaskRun {
  id: number;
  taskName: string;
  status: string;
  exitCode: number | null;
  arguments: string[];
  jobExecutionIds: number[];
}

/** A server on the local platform with the sample registered as app `settle` and task `settle-demo`. */
export async function startSampleServer(): Promise<TestServer> {
  const work = await mkdtemp(join(tmpdir(), 'batchyard-jobs-'));
  const server = await startTestServer({
    BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]),
  });
  const app = await server.request('POST', '/apps/task/settle/1.0', {
    uri: 'local:settle',
    command: [process.execPath, SAMPLE_MAIN],
  });
  if (app.status !== 201) throw new Error(`register: ${JSON.stringify(app.body)}`);
  const def = await server.request('POST', '/tasks/definitions', { name: TASK, definition: 'settle' });
  if (def.status !== 201) throw new Error(`definition: ${JSON.stringify(def.body)}`);
  return server;
}

export const taskExecution = (server: TestServer, id: number) =>
  server.request<TaskRun>('GET', `/tasks/executions/${id}`).then((r) => r.body);

const TERMINAL = ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'];

export async function waitForTask(server: TestServer, id: number): Promise<TaskRun> {
  return until(
    () => taskExecution(server, id),
    (e) => TERMINAL.includes(e.status),
    `task execution ${id} to end`,
  );
}

/** Launches the sample with these arguments and waits for the platform to report its end. */
export async function runSample(server: TestServer, args: string[]): Promise<TaskRun> {
  const launch = await server.request<TaskRun>('POST', '/tasks/executions', { name: TASK, arguments: args });
  if (launch.status !== 201) throw new Error(`launch: ${JSON.stringify(launch.body)}`);
  return waitForTask(server, launch.body.id);
}
