import type { AppRegistration, Page } from '@batchyard/core';
import type { CommandSpec } from '../spec.js';
import { appList, appSummary } from '../views/catalog.js';
import { CURSOR, commandWords, query, SIZE, seg } from './shared.js';

type App = AppRegistration & { versions?: string[] };

export const APP_COMMANDS: readonly CommandSpec[] = [
  {
    noun: 'apps',
    verb: 'list',
    summary: 'List registered apps',
    positionals: [],
    options: [
      {
        name: 'type',
        kind: 'string',
        choices: ['task', 'app'],
        placeholder: '<type>',
        description: 'Only apps of this type',
      },
      {
        name: 'search',
        kind: 'string',
        placeholder: '<text>',
        description: 'Only apps whose name contains the text',
      },
      { ...SIZE, description: 'Page size (1–1000, default 1000)' },
      CURSOR,
    ],
    examples: ['batchyard apps list', 'batchyard apps list --type task -o wide'],
    async run(ctx) {
      const f = ctx.flags;
      const page = await ctx.client.request<Page<AppRegistration>>(
        'GET',
        `/apps${query({ size: f.number('size') ?? 1000, type: f.string('type'), search: f.string('search'), cursor: f.string('cursor') })}`,
      );
      return { data: page, human: (s) => appList(page, s, ctx.invocation) };
    },
  },
  {
    noun: 'apps',
    verb: 'register',
    summary: 'Register an app version (the first version of an app becomes its default)',
    positionals: [
      { name: 'type', description: 'task (or app)' },
      { name: 'name', description: 'the app name, a DNS label' },
      { name: 'version', description: 'e.g. 1.0.0' },
      { name: 'uri', description: 'docker:repo/image:tag, local:…, file:…, maven://…' },
    ],
    options: [
      { name: 'default', kind: 'boolean', description: 'Make this version the default' },
      { name: 'force', kind: 'boolean', description: 'Replace an existing registration of the same version' },
      {
        name: 'no-spring-contract',
        kind: 'boolean',
        description:
          'Not a Spring Cloud Task app: pass no spring.cloud.task.* arguments or SPRING_DATASOURCE_*',
      },
      {
        name: 'command',
        kind: 'string',
        placeholder: '<cmd>',
        description:
          "Local-platform command, split as a shell would (quotes kept; pipes, '&&', redirections refused)",
      },
    ],
    examples: [
      'batchyard apps register task etl 1.0 docker:acme/etl:1.0',
      `batchyard apps register task etl 1.1 docker:acme/etl:1.1 --default --command 'node "dist/main.js"'`,
    ],
    async run(ctx) {
      const [type, name, version, uri] = ctx.args;
      const f = ctx.flags;
      const app = await ctx.client.request<App>('POST', `/apps/${seg(type)}/${seg(name)}/${seg(version)}`, {
        uri,
        force: f.flag('force'),
        makeDefault: f.flag('default') ? true : undefined,
        command: commandWords(f.string('command')),
        ...(f.flag('no-spring-contract') ? { springContract: false } : {}),
      });
      return { data: app, human: (s) => `Registered ${appSummary(app, s)}` };
    },
  },
  {
    noun: 'apps',
    verb: 'default',
    summary: 'Make a version the default of its app',
    positionals: [
      { name: 'type', description: 'task (or app)' },
      { name: 'name', description: 'the app name' },
      { name: 'version', description: 'the version to make the default' },
    ],
    options: [],
    examples: ['batchyard apps default task etl 1.1'],
    async run(ctx) {
      const [type, name, version] = ctx.args;
      const app = await ctx.client.request<App>('PUT', `/apps/${seg(type)}/${seg(name)}/${seg(version)}`);
      return { data: app, human: (s) => (app ? appSummary(app, s) : `${name} ${version} is the default`) };
    },
  },
  {
    noun: 'apps',
    verb: 'unregister',
    summary: 'Unregister an app, or one version of it (refused while a definition uses it)',
    positionals: [
      { name: 'type', description: 'task (or app)' },
      { name: 'name', description: 'the app name' },
      { name: 'version', description: 'only this version', optional: true },
    ],
    options: [],
    examples: ['batchyard apps unregister task etl 1.0', 'batchyard apps unregister task etl'],
    async run(ctx) {
      const [type, name, version] = ctx.args;
      const data = await ctx.client.request(
        'DELETE',
        `/apps/${seg(type)}/${seg(name)}${version ? `/${seg(version)}` : ''}`,
      );
      return { data, human: () => `Unregistered ${type} app ${name}${version ? ` ${version}` : ''}` };
    },
  },
  {
    noun: 'apps',
    verb: 'import',
    summary: 'Register apps in bulk from an SCDF properties file (task.name=docker:image:tag)',
    positionals: [{ name: 'file', description: 'the properties file' }],
    options: [{ name: 'force', kind: 'boolean', description: 'Replace registrations that exist' }],
    examples: ['batchyard apps import apps.properties'],
    async run(ctx) {
      const { readFile } = await import('node:fs/promises');
      const data = await ctx.client.request<{
        registered: unknown[];
        skipped: { name: string; reason: string }[];
      }>('POST', '/apps/import', {
        properties: await readFile(ctx.args[0] ?? '', 'utf8'),
        force: ctx.flags.flag('force'),
      });
      return {
        data,
        human: () =>
          [
            `Registered ${data.registered.length} apps, skipped ${data.skipped.length}`,
            ...data.skipped.map((x) => `  skipped ${x.name}: ${x.reason}`),
          ].join('\n'),
      };
    },
  },
];
