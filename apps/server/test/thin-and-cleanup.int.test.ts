import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, launch, localPlatformEnv, registerScripted } from './composed-support.js';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

// SCDF's thin execution list and definition delete with ?cleanup=true, through the REST API.

interface Thin {
  executionId: number;
  taskName: string;
  status: string;
}

describe('thin executions and delete with cleanup', () => {
  let s: TestServer;
  const count = async (name: string) =>
    (await s.request<{ totalExecutions: number }>('GET', `/tasks/info/executions?name=${name}`)).body
      .totalExecutions;

  beforeAll(async () => {
    s = await startTestServer(await localPlatformEnv());
    await registerScripted(s, ['hello']);
    for (const name of ['thin', 'keep', 'gone'])
      await s.request('POST', '/tasks/definitions', { name, definition: 'hello' });
    for (const name of ['thin', 'thin', 'thin', 'keep', 'gone', 'gone'])
      await finished(s, (await launch(s, { name })).id);
  });
  afterAll(() => s.close());

  it('GET /tasks/thinexecutions: list columns only, newest first, keyset pages', async () => {
    const first = await s.request<{ items: Record<string, unknown>[]; page: { next: string | null } }>(
      'GET',
      '/tasks/thinexecutions?task=thin&size=2',
    );
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(Object.keys(first.body.items[0]!).sort()).toEqual(
      [
        'endTime',
        'errorMessage',
        'executionId',
        'exitCode',
        'exitMessage',
        'externalExecutionId',
        'parentExecutionId',
        'platformName',
        'startTime',
        'status',
        'taskName',
      ].sort(),
    );
    const second = await s.request<{ items: Thin[]; page: { next: string | null } }>(
      'GET',
      `/tasks/thinexecutions?task=thin&size=2&cursor=${first.body.page.next}`,
    );
    const ids = [...(first.body.items as unknown as Thin[]), ...second.body.items].map((i) => i.executionId);
    expect(ids).toHaveLength(3);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(second.body.page.next).toBeNull();
  });

  it('bad paging or filters are 400s naming the field', async () => {
    const cursor = await s.request<ErrorBody>('GET', '/tasks/thinexecutions?cursor=nonsense');
    expect(cursor.status).toBe(400);
    const status = await s.request<ErrorBody>('GET', '/tasks/thinexecutions?status=DONE');
    expect(status.status).toBe(400);
    expect(status.body.details[0]!.path).toBe('query.status');
  });

  it('DELETE /tasks/definitions/{name}?cleanup=true removes its finished executions too; without it they stay', async () => {
    expect((await s.request('DELETE', '/tasks/definitions/keep')).status).toBe(204);
    expect(await count('keep')).toBe(1);
    expect(await count('gone')).toBe(2);
    expect((await s.request('DELETE', '/tasks/definitions/gone?cleanup=true')).status).toBe(204);
    expect(await count('gone')).toBe(0);
    expect(await count('thin')).toBe(3);
    const bad = await s.request<ErrorBody>('DELETE', '/tasks/definitions/thin?cleanup=yes');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]!.path).toBe('query.cleanup');
    expect((await s.request('GET', '/tasks/definitions/thin')).status).toBe(200);
  });
});
