import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Execution, finished, localPlatformEnv, registerScripted } from './composed-support.js';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

// SCDF's form-encoded requests (its shell and REST docs: `curl -d 'name=…&definition=…'`) against the
// real server and Postgres: definitions, launches (both SCDF launch endpoints and their answers) and
// schedules; every other route refuses the form's content type.

describe('SCDF form bodies', () => {
  let s: TestServer;
  const form = async <T = unknown>(method: string, path: string, fields: Record<string, string> | string) => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };

  beforeAll(async () => {
    s = await startTestServer(await localPlatformEnv());
    await registerScripted(s, ['hello']);
  });
  afterAll(() => s.close());

  it('POST /tasks/definitions takes name, definition and description as a form', async () => {
    const r = await form<{ name: string; definition: string; description: string }>(
      'POST',
      '/tasks/definitions',
      {
        name: 'greet-form',
        definition: "hello --print='from form'",
        description: 'Demo task definition',
      },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ name: 'greet-form', description: 'Demo task definition' });
    const shown = await s.request<{ definition: string }>('GET', '/tasks/definitions/greet-form');
    expect(shown.body.definition).toBe("hello --print='from form'");
  });

  it('… and names the bad field: unknown, repeated, or invalid', async () => {
    const unknown = await form<ErrorBody>('POST', '/tasks/definitions', {
      name: 'x',
      definition: 'hello',
      colour: 'red',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0]!.path).toBe('body.colour');
    const twice = await form<ErrorBody>('POST', '/tasks/definitions', 'name=x&name=y&definition=hello');
    expect(twice.status).toBe(400);
    expect(twice.body.details[0]!.path).toBe('body.name');
    const missing = await form<ErrorBody>('POST', '/tasks/definitions', { name: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.details[0]!.path).toBe('body.definition');
  });

  it('POST /tasks/executions with a form launches and answers the id alone, as SCDF does', async () => {
    const r = await form<number>('POST', '/tasks/executions', {
      name: 'greet-form',
      properties: 'app.hello.print=from-properties',
      arguments: '--x=1 --y=2',
    });
    expect(r.status).toBe(201);
    expect(typeof r.body).toBe('number');
    const done = await finished(s, r.body);
    expect(done).toMatchObject({ status: 'COMPLETE', arguments: ['--x=1', '--y=2'] });
    expect(done.properties).toEqual({ 'app.hello.print': 'from-properties' });
  });

  it('… the same fields as query parameters on a bodiless POST, too; JSON keeps the execution', async () => {
    const q = await s.request<number>('POST', '/tasks/executions?name=greet-form&arguments=--z%3D3');
    expect(q.status).toBe(201);
    expect((await finished(s, q.body)).arguments).toEqual(['--z=3']);
    const json = await s.request<Execution>('POST', '/tasks/executions', { name: 'greet-form' });
    expect(json.status).toBe(201);
    expect(json.body).toMatchObject({ id: expect.any(Number), taskName: 'greet-form' });
    await finished(s, json.body.id);
    const bad = await s.request<ErrorBody>('POST', '/tasks/executions?name=greet-form&properties=oops');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]!.path).toBe('query.properties');
  });

  it('POST /tasks/executions/launch answers {executionId, schemaTarget} for a form, a query and JSON', async () => {
    type Launched = { executionId: number; schemaTarget: string; _links: { self: { href: string } } };
    const viaForm = await form<Launched>('POST', '/tasks/executions/launch', {
      name: 'greet-form',
      arguments: '--a=1',
    });
    expect(viaForm.status, JSON.stringify(viaForm.body)).toBe(201);
    expect(viaForm.body).toEqual({
      executionId: expect.any(Number),
      schemaTarget: 'boot3',
      _links: { self: { href: `${s.url}/tasks/executions/${viaForm.body.executionId}` } },
    });
    expect((await finished(s, viaForm.body.executionId)).arguments).toEqual(['--a=1']);
    const viaQuery = await s.request<Launched>('POST', '/tasks/executions/launch?name=greet-form');
    expect(viaQuery.body.schemaTarget).toBe('boot3');
    const viaJson = await s.request<Launched>('POST', '/tasks/executions/launch', { name: 'greet-form' });
    expect(viaJson.status).toBe(201);
    expect(viaJson.body.executionId).toBeGreaterThan(viaQuery.body.executionId);
    await finished(s, viaQuery.body.executionId);
    await finished(s, viaJson.body.executionId);
    const ghost = await form<ErrorBody>('POST', '/tasks/executions/launch', { name: 'ghost' });
    expect(ghost.status).toBe(404);
    const bad = await form<ErrorBody>('POST', '/tasks/executions/launch', {
      name: 'greet-form',
      properties: 'k',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]!.path).toBe('body.properties');
  });

  it('POST /tasks/schedules takes SCDF form with scheduler.cron.expression in its properties', async () => {
    const r = await form<{ name: string; cron: string; arguments: string[]; properties: object }>(
      'POST',
      '/tasks/schedules',
      {
        scheduleName: 'nightly-form',
        taskDefinitionName: 'greet-form',
        properties: 'scheduler.cron.expression=0 22 * * *,app.hello.print=at-night',
        arguments: '--foo=bar',
      },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      name: 'nightly-form',
      cron: '0 22 * * *',
      arguments: ['--foo=bar'],
      properties: { 'app.hello.print': 'at-night' },
    });
    const noCron = await form<ErrorBody>('POST', '/tasks/schedules', {
      scheduleName: 'no-cron',
      taskDefinitionName: 'greet-form',
    });
    expect(noCron.status).toBe(400);
    expect(noCron.body.details[0]!.path).toBe('body.cron');
  });

  it('a form from a page of another site is refused, as every cross-site state change is', async () => {
    const res = await fetch(`${s.url}/tasks/executions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      },
      body: 'name=greet-form',
    });
    expect(res.status).toBe(403);
  });

  it('any other route refuses a form with a 415, before reading it', async () => {
    const r = await form<ErrorBody>('PUT', '/tasks/definitions/greet-form', { definition: 'hello' });
    expect(r.status).toBe(415);
    expect(r.body.details[0]!.path).toBe('headers.content-type');
    expect((await form('POST', '/apps/task/other/1.0', { uri: 'docker:x/y:1' })).status).toBe(415);
  });
});
