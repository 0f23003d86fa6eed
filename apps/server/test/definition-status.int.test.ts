import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, launch, localPlatformEnv, registerScripted } from './composed-support.js';
import { startTestServer, type TestServer } from './harness.js';

// SCDF shows a definition with its newest execution and a status derived from it, in lists and shows.

interface Def {
  name: string;
  status: string;
  lastTaskExecution: { id: number; status: string } | null;
}

describe('definition status and lastTaskExecution', () => {
  let s: TestServer;
  const show = async (name: string) => (await s.request<Def>('GET', `/tasks/definitions/${name}`)).body;
  const list = async () =>
    new Map(
      (await s.request<{ items: Def[] }>('GET', '/tasks/definitions?size=100')).body.items.map((d) => [
        d.name,
        d,
      ]),
    );

  beforeAll(async () => {
    s = await startTestServer(await localPlatformEnv());
    await registerScripted(s, ['hello']);
    for (const name of ['never', 'works', 'breaks']) {
      await s.request('POST', '/tasks/definitions', {
        name,
        definition: name === 'breaks' ? 'hello --exit=2' : 'hello',
      });
    }
  });
  afterAll(() => s.close());

  it('a definition that never ran is UNKNOWN with no last execution', async () => {
    expect(await show('never')).toMatchObject({ status: 'UNKNOWN', lastTaskExecution: null });
  });

  it('RUNNING while the newest runs, then COMPLETE or ERROR; lists say the same', async () => {
    const slow = await launch(s, { name: 'works', arguments: ['--sleep=1500'] });
    expect(await show('works')).toMatchObject({ status: 'RUNNING', lastTaskExecution: { id: slow.id } });
    await finished(s, slow.id);
    const broken = await launch(s, { name: 'breaks' });
    await finished(s, broken.id);
    const again = await launch(s, { name: 'works' });
    await finished(s, again.id);
    expect(await show('works')).toMatchObject({
      status: 'COMPLETE',
      lastTaskExecution: { id: again.id, status: 'COMPLETE' },
    });
    const all = await list();
    expect(all.get('works')).toMatchObject({ status: 'COMPLETE', lastTaskExecution: { id: again.id } });
    expect(all.get('breaks')).toMatchObject({
      status: 'ERROR',
      lastTaskExecution: { id: broken.id, status: 'FAILED' },
    });
    expect(all.get('never')).toMatchObject({ status: 'UNKNOWN', lastTaskExecution: null });
  });
});
