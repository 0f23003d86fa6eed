import { parseArgs } from 'node:util';
import { ApiClient } from './client.js';

const USAGE = `batchyard — Kubernetes-native control plane for batch work

Usage:
  batchyard server                          start the server (see README for configuration)
  batchyard migrate                         apply database migrations and exit
  batchyard apps list [--type task]
  batchyard apps register <type> <name> <version> <uri> [--default] [--force] [--command "node main.js"]
  batchyard apps default <type> <name> <version>
  batchyard apps unregister <type> <name> [<version>]
  batchyard apps import <file> [--force]
  batchyard tasks list [--search text]
  batchyard tasks create <name> <dsl> [--description text]
  batchyard tasks edit <name> <dsl>
  batchyard tasks show <name>
  batchyard tasks destroy <name> [--with-schedules]

Options:
  --url <url>   server URL (default $BATCHYARD_URL or http://127.0.0.1:9393)
`;

type Handler = (
  client: ApiClient,
  args: string[],
  flags: Record<string, string | boolean | undefined>,
) => Promise<unknown>;

const need = (args: string[], n: number, what: string): string[] => {
  if (args.length < n) throw new UsageError(`expected ${what}`);
  return args;
};

export class UsageError extends Error {}

const COMMANDS: Record<string, Handler> = {
  'apps list': (c, _a, f) => c.request('GET', `/apps?size=1000${f.type ? `&type=${f.type}` : ''}`),
  'apps register': (c, a, f) => {
    const [type, name, version, uri] = need(a, 4, '<type> <name> <version> <uri>');
    const command = typeof f.command === 'string' ? f.command.split(' ').filter(Boolean) : undefined;
    return c.request('POST', `/apps/${type}/${name}/${version}`, {
      uri,
      force: f.force === true,
      makeDefault: f.default === true ? true : undefined,
      command,
    });
  },
  'apps default': (c, a) => {
    const [type, name, version] = need(a, 3, '<type> <name> <version>');
    return c.request('PUT', `/apps/${type}/${name}/${version}`);
  },
  'apps unregister': (c, a) => {
    const [type, name, version] = need(a, 2, '<type> <name> [<version>]');
    return c.request('DELETE', `/apps/${type}/${name}${version ? `/${version}` : ''}`);
  },
  'apps import': async (c, a, f) => {
    const [file] = need(a, 1, '<file>');
    const { readFile } = await import('node:fs/promises');
    return c.request('POST', '/apps/import', {
      properties: await readFile(file!, 'utf8'),
      force: f.force === true,
    });
  },
  'tasks list': (c, _a, f) =>
    c.request(
      'GET',
      `/tasks/definitions?size=1000${f.search ? `&search=${encodeURIComponent(String(f.search))}` : ''}`,
    ),
  'tasks create': (c, a, f) => {
    const [name, dsl] = need(a, 2, '<name> <dsl>');
    return c.request('POST', '/tasks/definitions', {
      name,
      definition: dsl,
      description: typeof f.description === 'string' ? f.description : undefined,
    });
  },
  'tasks edit': (c, a) => {
    const [name, dsl] = need(a, 2, '<name> <dsl>');
    return c.request('PUT', `/tasks/definitions/${name}`, { definition: dsl });
  },
  'tasks show': (c, a) => c.request('GET', `/tasks/definitions/${need(a, 1, '<name>')[0]}`),
  'tasks destroy': (c, a, f) =>
    c.request(
      'DELETE',
      `/tasks/definitions/${need(a, 1, '<name>')[0]}${f['with-schedules'] === true ? '?schedules=delete' : ''}`,
    ),
};

/** Runs a REST sub-command; returns false when `argv` names none. */
export async function runCliCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      url: { type: 'string' },
      type: { type: 'string' },
      search: { type: 'string' },
      description: { type: 'string' },
      command: { type: 'string' },
      force: { type: 'boolean' },
      default: { type: 'boolean' },
      'with-schedules': { type: 'boolean' },
    },
  });
  const key = positionals.slice(0, 2).join(' ');
  const handler = COMMANDS[key];
  if (!handler) return false;
  const url = typeof values.url === 'string' ? values.url : (env.BATCHYARD_URL ?? 'http://127.0.0.1:9393');
  const result = await handler(new ApiClient(url), positionals.slice(2), values);
  if (result !== null && result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return true;
}

export { USAGE };
