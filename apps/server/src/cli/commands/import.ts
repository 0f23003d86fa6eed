import { importScdf } from '../../import/scdf-import.js';
import { type CommandSpec, UsageError } from '../spec.js';

export const IMPORT_COMMANDS: readonly CommandSpec[] = [
  {
    noun: 'import',
    verb: 'scdf',
    summary: 'Carry apps, task definitions and schedules over from an SCDF server or its shell export',
    positionals: [],
    options: [
      {
        name: 'from',
        kind: 'string',
        placeholder: '<url|dir>',
        description: "An SCDF server's URL (its REST API) or a directory of exported files",
      },
      {
        name: 'apply',
        kind: 'boolean',
        description: 'Write to Batchyard (without it: a dry run that reports the plan)',
      },
    ],
    examples: [
      'batchyard import scdf --from http://scdf:9393',
      'batchyard import scdf --from ./export --apply',
    ],
    async run(ctx) {
      const from = ctx.flags.string('from');
      if (!from) throw new UsageError('import scdf needs --from <SCDF server URL or directory>');
      const report = await importScdf(ctx.client, { from, apply: ctx.flags.flag('apply') });
      return { data: report };
    },
  },
];
