import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTerminal, type TaskStatus } from '@batchyard/core';
import { executions } from '@batchyard/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import { ApiTokenService } from '../src/auth/api-tokens.js';
import type { ReviewToken } from '../src/auth/token-review.js';
import { startTestServer, type TestServer } from './harness.js';

// The edge with a task pod's projected token: the review (injected, in the shape kube-apiserver
// answers) names a pod, the pod maps to a real running execution of the database, and the route
// check lets that principal reach its own execution's partition routes only, only while it runs.
// The e2e (test/e2e/partitions) runs the same with the real API server and real pods.

describe('a task pod authenticated by TokenReview acts for its own execution only', () => {
  let s: TestServer;
  let admin: Record<string, string>;
  let running = 0;
  const pod = { authorization: 'Bearer projected-token-of-the-manager-pod' };
  const review: ReviewToken = async () => ({
    username: 'system:serviceaccount:batch:default',
    audiences: ['batchyard'],
    extra: {
      'authentication.kubernetes.io/pod-name': ['sleeper-1-abcde'],
      'authentication.kubernetes.io/pod-uid': ['uid-1'],
    },
  });

  beforeAll(async () => {
    s = await startTestServer(
      {
        BATCHYARD_AUTH_TOKENS_ENABLED: 'true',
        BATCHYARD_PLATFORMS: JSON.stringify([
          { name: 'local', type: 'local', workDir: mkdtempSync(join(tmpdir(), 'batchyard-taskpod-')) },
        ]),
      },
      { yaml: { auth: { kubernetes: { audience: 'batchyard' } } }, deps: { review } },
    );
    const token = await new ApiTokenService(s.prisma).create(
      { name: 'admin', roles: ['VIEW', 'CREATE', 'DEPLOY', 'MANAGE'] },
      't',
    );
    admin = { authorization: `Bearer ${token.token}` };
    const app = await s.request(
      'POST',
      '/apps/task/sleeper/1.0',
      {
        uri: 'docker:batchyard/sleeper:1.0',
        command: [process.execPath, fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url))],
      },
      admin,
    );
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    const def = await s.request(
      'POST',
      '/tasks/definitions',
      { name: 'sleeper', definition: 'sleeper --sleep=120000' },
      admin,
    );
    expect(def.status, JSON.stringify(def.body)).toBe(201);
    const launched = await s.request<{ id: number }>('POST', '/tasks/executions', { name: 'sleeper' }, admin);
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    running = launched.body.id;
    await until(
      () => executions.findExecution(s.prisma, running),
      (r) => r?.status === 'RUNNING' || (r !== null && isTerminal(r.status as TaskStatus)),
      'the execution to run',
    );
    const row = await executions.findExecution(s.prisma, running);
    expect(row?.status, `${row?.reason} ${row?.errorMessage} ${row?.logTail}`).toBe('RUNNING');
    // What partitions/task-pods.ts answers on Kubernetes (pod → its Job → the execution), here by name.
    s.app.auth.authenticators.kubernetes!.taskPods = {
      executionOf: async (p) =>
        p.namespace === 'batch' && p.name === 'sleeper-1-abcde' ? running : undefined,
      running: async (id) => {
        const row = await executions.findExecution(s.prisma, id);
        return row !== null && !isTerminal(row.status as TaskStatus);
      },
    };
  });
  afterAll(async () => {
    await s?.close();
  });

  it('reads its own partitions, and nothing else', async () => {
    const own = await s.request<{ items: unknown[]; done: boolean }>(
      'GET',
      `/tasks/executions/${running}/partitions`,
      undefined,
      pod,
    );
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ items: [], done: true });
    const other = await s.request('GET', `/tasks/executions/${running + 1}/partitions`, undefined, pod);
    expect(other.status).toBe(403);
    const list = await s.request<{ message: string }>('GET', '/tasks/executions', undefined, pod);
    expect(list.status).toBe(403);
    expect(list.body.message).toContain('k8s:system:serviceaccount:batch:default lacks role VIEW');
    const execution = await s.request('GET', `/tasks/executions/${running}`, undefined, pod);
    expect(execution.status).toBe(403);
  });

  it('loses the grant when its execution ends', async () => {
    expect(
      (await s.request('POST', `/tasks/executions/${running}/stop`, undefined, admin)).status,
    ).toBeLessThan(300);
    await until(
      () => executions.findExecution(s.prisma, running),
      (r) => r !== null && isTerminal(r.status as TaskStatus),
      'the execution to stop',
    );
    const after = await s.request('GET', `/tasks/executions/${running}/partitions`, undefined, pod);
    expect(after.status).toBe(403);
  });
});
