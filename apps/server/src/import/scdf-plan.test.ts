import { describe, expect, it } from 'vitest';
import { planImport } from './scdf-plan.js';
import { parseAppProperties } from './scdf-source.js';

const none = { apps: [], definitions: [], schedules: [] };

describe('planImport', () => {
  it('orders definitions so a composed one comes after the composed definitions it names', () => {
    const plan = planImport(
      {
        apps: [],
        definitions: [
          { name: 'outer', dslText: 'a && inner', composed: true },
          { name: 'inner', dslText: 'b && c', composed: true },
          { name: 'inner-b', dslText: 'b', composedTaskElement: true },
        ],
        schedules: [],
      },
      none,
    );
    expect(plan.create.map((c) => c.name)).toEqual(['inner', 'outer']);
    expect(plan.unchanged).toEqual([
      { kind: 'definition', name: 'inner-b', reason: 'a composed task child: created with its parent' },
    ]);
  });

  it('the version comes from the URI tag when SCDF gives none; an existing app with another URI is reported', () => {
    const plan = planImport(
      {
        apps: [
          { name: 'x', type: 'task', uri: 'docker:acme/x:3.1' },
          { name: 'y', type: 'task', uri: 'docker:acme/y:1' },
        ],
        definitions: [],
        schedules: [],
      },
      { ...none, apps: [{ type: 'task', name: 'y', version: '1', uri: 'docker:other/y:1' }] },
    );
    expect(plan.create.map((c) => c.path)).toEqual(['/apps/task/x/3.1']);
    expect(plan.notCarriedOver[0]).toMatchObject({
      name: 'task:y:1',
      reason: expect.stringContaining('another URI'),
    });
  });

  it('a schedule that exists differently is left alone and reported', () => {
    const plan = planImport(
      {
        ...none,
        schedules: [
          {
            scheduleName: 'n',
            taskDefinitionName: 't',
            scheduleProperties: { 'scheduler.cron.expression': '1 * * * *' },
          },
        ],
      },
      { ...none, schedules: [{ name: 'n', taskDefinitionName: 't', cron: '2 * * * *' }] },
    );
    expect(plan.create).toEqual([]);
    expect(plan.notCarriedOver[0]!.reason).toBe("already exists (t, '2 * * * *'); left as it is");
  });
});

describe('parseAppProperties', () => {
  it('reads the shell import format, skipping comments and metadata lines', () => {
    expect(
      parseAppProperties('# x\ntask.a=docker:a:1\ntask.a.metadata=docker:a-meta:1\nsink.log=maven://x\n'),
    ).toEqual([
      { type: 'task', name: 'a', uri: 'docker:a:1' },
      { type: 'sink', name: 'log', uri: 'maven://x' },
    ]);
  });
});
