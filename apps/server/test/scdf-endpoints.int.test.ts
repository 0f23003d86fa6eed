import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Execution as ComposedExecution,
  finished,
  launch,
  localPlatformEnv,
  registerScripted,
} from './composed-support.js';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

type Execution = ComposedExecution & { externalExecutionId: string | null };

// SCDF endpoints for migrating teams, through the REST API on the local platform: platforms,
// validation, the info count with completed/days, bulk cleanup, and the SCDF aliases.

describe('SCDF endpoints', () => {
  let s: TestServer;
  const text = (path: string) =>
    fetch(`${s.url}${path}`).then(async (r) => ({ status: r.status, body: await r.text() }));
  const define = async (name: string, definition: string) => {
    const r = await s.request('POST', '/tasks/definitions', { name, definition });
    if (r.status !== 201) throw new Error(`${name}: ${JSON.stringify(r.body)}`);
  };

  beforeAll(async () => {
    s = await startTestServer(await localPlatformEnv());
    await registerScripted(s, ['hello', 'b']);
    // An app without a local command: definitions may name it, a local launch cannot run it.
    await s.request('POST', '/apps/task/image-only/1.0', { uri: 'docker:acme/image-only:1' });
    await define('greet', 'hello --print=hi');
    await define('no-command', 'image-only');
    await define('mixed', 'hello && image-only');
  });
  afterAll(() => s.close());

  it('GET /tasks/platforms lists the accounts, the default first', async () => {
    const r = await s.request<{ items: { name: string; type: string; default: boolean }[] }>(
      'GET',
      '/tasks/platforms',
    );
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([expect.objectContaining({ name: 'local', type: 'local', default: true })]);
  });

  describe('GET /tasks/validation/{name}', () => {
    it('a good definition is valid', async () => {
      const r = await s.request('GET', '/tasks/validation/greet');
      expect(r.body).toEqual({
        appName: 'greet',
        dsl: 'hello --print=hi',
        description: null,
        valid: true,
        appStatuses: { 'task:greet': 'valid' },
        problems: [],
      });
    });

    it('reports what a launch would refuse, per definition, composed children included', async () => {
      const simple = await s.request<{ valid: boolean; problems: { path: string; message: string }[] }>(
        'GET',
        '/tasks/validation/no-command',
      );
      expect(simple.body.valid).toBe(false);
      expect(simple.body.problems[0]!.path).toMatch(/^task:no-command/);
      const composed = await s.request<{ valid: boolean; appStatuses: Record<string, string> }>(
        'GET',
        '/tasks/validation/mixed',
      );
      expect(composed.body).toMatchObject({
        valid: false,
        appStatuses: {
          'task:mixed': 'valid',
          'task:mixed-hello': 'valid',
          'task:mixed-image-only': 'invalid',
        },
      });
    });

    it('an unknown definition is a 404', async () => {
      expect((await s.request('GET', '/tasks/validation/nope')).status).toBe(404);
    });
  });

  describe('aliases', () => {
    let done: Execution;
    beforeAll(async () => {
      const r = await s.request<{ executionId: number; schemaTarget: string }>(
        'POST',
        '/tasks/executions/launch?name=greet&properties=app.hello.print%3Dfrom-scdf&arguments=--x%3D1%20--y%3D2',
      );
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.schemaTarget).toBe('boot3');
      done = (await finished(s, r.body.executionId)) as Execution;
    });

    it('POST /tasks/executions/launch with SCDF query parameters launches like POST /tasks/executions', async () => {
      expect(done).toMatchObject({ status: 'COMPLETE', arguments: ['--x=1', '--y=2'] });
      expect(done.properties).toEqual({ 'app.hello.print': 'from-scdf' });
    });

    it('… and refuses bad input as the real route does', async () => {
      const bad = await s.request<ErrorBody>('POST', '/tasks/executions/launch?name=greet&properties=oops');
      expect(bad.status).toBe(400);
      expect(bad.body.details[0]!.path).toBe('query.properties');
      expect((await s.request('POST', '/tasks/executions/launch?name=ghost')).status).toBe(404);
      const json = await s.request<ErrorBody>('POST', '/tasks/executions/launch', {
        name: 'greet',
        arguments: 'x',
      });
      expect(json.status).toBe(400);
      expect(json.body.details[0]!.path).toBe('body.arguments');
    });

    it('GET /tasks/logs/{externalId} serves the execution log by its platform id', async () => {
      const log = await text(`/tasks/logs/${done.externalExecutionId}`);
      expect(log.status).toBe(200);
      expect(log.body).toContain('from-scdf');
      expect((await text('/tasks/logs/no-such-job')).status).toBe(404);
      expect((await text(`/tasks/logs/${done.externalExecutionId}?platformName=elsewhere`)).status).toBe(404);
    });

    it('POST /tasks/executions/{ids} stops, as SCDF does', async () => {
      const e = await launch(s, { name: 'greet', arguments: ['--sleep=60000'] });
      const r = await s.request<Execution[]>('POST', `/tasks/executions/${e.id}`);
      expect(r.status).toBe(200);
      expect((await finished(s, e.id)).status).toBe('STOPPED');
      expect((await s.request('POST', '/tasks/executions/abc')).status).toBe(400);
    });

    it('PUT /jobs/executions/{id}?stop=true|restart=true forward to the job operations', async () => {
      expect((await s.request<ErrorBody>('PUT', '/jobs/executions/999999?stop=true')).status).toBe(404);
      expect((await s.request<ErrorBody>('PUT', '/jobs/executions/999999?restart=true')).status).toBe(404);
      const both = await s.request<ErrorBody>('PUT', '/jobs/executions/1?stop=true&restart=true');
      expect(both.status).toBe(400);
      expect((await s.request<ErrorBody>('PUT', '/jobs/executions/1')).status).toBe(400);
    });
  });

  describe('counts and cleanup', () => {
    it('GET /tasks/info/executions with name, completed and days', async () => {
      const count = async (q: string) =>
        (await s.request<{ totalExecutions: number }>('GET', `/tasks/info/executions?${q}`)).body
          .totalExecutions;
      const all = await count('');
      const greet = await count('name=greet');
      expect(greet).toBeGreaterThanOrEqual(2);
      expect(all).toBeGreaterThanOrEqual(greet);
      expect(await count('name=greet&completed=true')).toBe(greet); // every greet run has ended
      expect(await count('name=greet&completed=true&days=0')).toBe(greet);
      expect(await count('name=greet&completed=true&days=1')).toBe(0); // none ended a day ago
      const bad = await s.request<ErrorBody>('GET', '/tasks/info/executions?days=-1');
      expect(bad.status).toBe(400);
      expect(bad.body.details[0]!.path).toBe('query.days');
    });

    it('DELETE /tasks/executions by task, status and age removes only the finished ones that match', async () => {
      const running = await launch(s, { name: 'greet', arguments: ['--sleep=60000'] });
      const before = (
        await s.request<{ totalExecutions: number }>('GET', '/tasks/info/executions?name=greet')
      ).body.totalExecutions;
      // SCDF's spellings: taskName, completed, days (greet has finished executions, none from a day ago: days is applied).
      const scdf = await s.request(
        'DELETE',
        '/tasks/executions?taskName=greet&completed=true&days=1&action=REMOVE_DATA',
      );
      expect(scdf).toMatchObject({ status: 200, body: { cleaned: 0, removed: 0 } });
      const both = await s.request<ErrorBody>('DELETE', '/tasks/executions?task=greet&taskName=other');
      expect(both.status).toBe(400);
      expect(both.body.details[0]!.path).toBe('query.taskName');
      const none = await s.request(
        'DELETE',
        '/tasks/executions?task=greet&olderThanDays=1&action=REMOVE_DATA',
      );
      expect(none.body).toEqual({ cleaned: 0, removed: 0 });
      const r = await s.request<{ removed: number }>(
        'DELETE',
        '/tasks/executions?taskName=greet&status=COMPLETE&action=REMOVE_DATA',
      );
      expect(r.status).toBe(200);
      expect(r.body.removed).toBeGreaterThanOrEqual(1);
      const after = (await s.request<{ totalExecutions: number }>('GET', '/tasks/info/executions?name=greet'))
        .body.totalExecutions;
      expect(after).toBe(before - r.body.removed);
      expect((await s.request<Execution>('GET', `/tasks/executions/${running.id}`)).body.status).not.toBe(
        'COMPLETE',
      );
      const bad = await s.request<ErrorBody>('DELETE', '/tasks/executions?status=DONE');
      expect(bad.status).toBe(400);
      expect(bad.body.details[0]!.path).toBe('query.status');
      await s.request('POST', `/tasks/executions/${running.id}/stop`);
      await finished(s, running.id);
    });
  });

  describe('schedules the SCDF way', () => {
    it('scheduler.cron.expression is the cron; /tasks/schedules/instances/{definition} lists them', async () => {
      const r = await s.request<{ cron: string; properties: Record<string, string> }>(
        'POST',
        '/tasks/schedules',
        {
          scheduleName: 'nightly-greet',
          taskDefinitionName: 'greet',
          properties: { 'scheduler.cron.expression': '30 2 * * *', 'app.hello.print': 'x' },
          suspend: true,
        },
      );
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ cron: '30 2 * * *', properties: { 'app.hello.print': 'x' } });
      const list = await s.request<{ items: { name: string }[] }>('GET', '/tasks/schedules/instances/greet');
      expect(list.status).toBe(200);
      expect(list.body.items.map((i) => i.name)).toEqual(['nightly-greet']);
      const none = await s.request<{ items: unknown[] }>('GET', '/tasks/schedules/instances/no-command');
      expect(none.body.items).toEqual([]);
    });

    it('a bad expression is a 400 naming body.cron; giving both forms is a 400 naming the property', async () => {
      const bad = await s.request<ErrorBody>('POST', '/tasks/schedules', {
        scheduleName: 'bad-cron',
        taskDefinitionName: 'greet',
        properties: { 'scheduler.cron.expression': '61 * * * *' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.details[0]!.path).toBe('body.cron');
      const both = await s.request<ErrorBody>('POST', '/tasks/schedules', {
        scheduleName: 'both',
        taskDefinitionName: 'greet',
        cron: '0 1 * * *',
        properties: { 'scheduler.cron.expression': '0 2 * * *' },
      });
      expect(both.status).toBe(400);
      expect(both.body.details[0]!.path).toBe('body.properties.scheduler.cron.expression');
    });
  });
});
