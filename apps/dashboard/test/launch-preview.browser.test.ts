import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefinition, type Dashboard, openDashboard, seriousViolations, until } from './browser.js';

/** The form's launch gets this id (set on TASK_SEQ), so the preview's 0 can be put in its places. */
const NEXT_ID = 876543;

describe('launch form: the effective manifest before launch', () => {
  let d: Dashboard;
  beforeAll(async () => {
    // A key, so the definition's secret-looking DSL value is kept sealed.
    d = await openDashboard(
      {},
      { yaml: { redaction: { encryptionKey: randomBytes(32).toString('base64') } } },
    );
    await createDefinition(d.server, 'previewed', 'scripted --print=hi --db.password=dsl-secret-1');
    await d.server.prisma.$executeRawUnsafe(`SELECT setval('task_seq', ${NEXT_ID - 1})`);
  });
  afterAll(() => d?.close());

  const manifestText = () => d.page.locator('.preview[data-state="ready"] pre.manifest').textContent();
  /** The manifest shown once the preview has caught up with the form and satisfies `ok`. */
  const shownWhen = (ok: (text: string) => boolean, what: string) =>
    until(
      async () =>
        (await d.page.locator('.preview[data-state="ready"] pre.manifest').count()) ? manifestText() : '',
      (text) => text !== null && ok(text),
      what,
    ) as Promise<string>;

  it('shows the manifest as the form is edited, secrets masked, refusals at their field, and launches exactly it', async () => {
    await d.goto('/ui/launch/previewed');
    const first = await shownWhen((t) => t.includes('--print=hi'), 'the first preview');
    expect(first).toContain('--db.password=******');
    expect(first).not.toContain('dsl-secret-1');
    expect(first).toContain('--spring.cloud.task.executionid=0');
    expect(await d.page.getByRole('heading', { name: 'Effective manifest' }).count()).toBe(1);

    await d.page.getByLabel('Arguments (one per line)').fill('--api.token=arg-secret-2\n--day=2026-01-01');
    const withArgs = await shownWhen((t) => t.includes('--day=2026-01-01'), 'the arguments in the preview');
    expect(withArgs).toContain('--api.token=******');
    expect(withArgs).not.toContain('arg-secret-2');

    // A refusal is shown at its field as the user types, before any launch.
    await d.page.getByLabel('Properties (key=value, one per line)').fill('deployer.scripted.noSuchKey=1');
    const fieldError = d.page.locator('.field.invalid', { hasText: 'Properties' }).getByRole('alert');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain('noSuchKey');
    await d.page.locator('.preview[data-state="refused"]').waitFor();
    expect(await d.page.locator('.preview pre.manifest').count()).toBe(0);

    await d.page
      .getByLabel('Properties (key=value, one per line)')
      .fill('app.scripted.mode=fast\ndeployer.scripted.environmentVariables=DB_PASSWORD=env-secret-3');
    const fixed = await shownWhen((t) => t.includes('--mode=fast'), 'the fixed properties in the preview');
    expect(fixed).not.toContain('env-secret-3');
    expect(JSON.parse(fixed).environment).toContain('DB_PASSWORD');
    expect(await d.page.locator('.field.invalid').count()).toBe(0);
    expect(await seriousViolations(d.page)).toEqual([]);
    // Nothing was launched by previewing.
    const none = await d.server.request<{ items: unknown[] }>('GET', '/tasks/executions?task=previewed');
    expect(none.body.items).toEqual([]);

    await d.page.getByRole('button', { name: 'Launch' }).click();
    await d.page.waitForURL(new RegExp(`/ui/executions/${NEXT_ID}$`));
    const stored = await until(
      () =>
        d.server
          .request<{ manifest: unknown }>('GET', `/tasks/executions/${NEXT_ID}`)
          .then((r) => r.body.manifest),
      (m) => m !== null,
      'the launch to record its manifest',
    );
    expect(JSON.parse(JSON.stringify(stored).replaceAll(String(NEXT_ID), '0'))).toEqual(JSON.parse(fixed));
    expect(d.problems).toEqual([]);
  });
});
