import { type ParseArgsConfig, parseArgs } from 'node:util';
import { parse as parseShellWords } from 'shell-quote';
import { ApiClient, ApiRequestError } from './client.js';

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
  batchyard tasks launch <name> [--arg a]... [--prop k=v]... [--platform account]
  batchyard executions list [--task name] [--status s] [--size n] [--cursor c]
  batchyard executions show <id>
  batchyard executions logs <id> [--tail n]         prints the log text as it is
  batchyard executions stop <id>[,<id>...]
  batchyard executions relaunch <id>                same arguments and properties, new execution
  batchyard executions restart <id>                 a failed composed task, at its failed child
  batchyard schedules create <scheduleName> <definition> <cron> [--time-zone zone] [--arg a]... [--prop k=v]... [--platform account]
  batchyard schedules list [--definition name] [--size n] [--cursor c]
  batchyard schedules show <name>
  batchyard schedules suspend <name>
  batchyard schedules resume <name>
  batchyard schedules delete <name>
  batchyard jobs list [--name job] [--status s] [--size n] [--cursor c]
  batchyard jobs show <id>
  batchyard jobs stop <id>
  batchyard jobs restart <id>
  batchyard jobs abandon <id>

Options:
  --url <url>   server URL (default $BATCHYARD_URL or http://127.0.0.1:9393)

Results are printed as JSON (logs as text). --arg and --prop repeat; --arg --key=value and
--arg=--key=value both pass '--key=value'. Lists print one page; pass its page.next as --cursor for
the next one (schedules list asks for 1000 unless --size says otherwise).
Exit code 1: the server refused (its message and the fields it names are printed); 2: bad usage.
`;

const OPTIONS = {
  url: { type: 'string' },
  help: { type: 'boolean' },
  type: { type: 'string' },
  search: { type: 'string' },
  description: { type: 'string' },
  command: { type: 'string' },
  force: { type: 'boolean' },
  default: { type: 'boolean' },
  'with-schedules': { type: 'boolean' },
  arg: { type: 'string', multiple: true },
  prop: { type: 'string', multiple: true },
  platform: { type: 'string' },
  'time-zone': { type: 'string' },
  task: { type: 'string' },
  status: { type: 'string' },
  name: { type: 'string' },
  definition: { type: 'string' },
  size: { type: 'string' },
  cursor: { type: 'string' },
  tail: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type Option = keyof typeof OPTIONS;
type StringOption = { [K in Option]: (typeof OPTIONS)[K]['type'] extends 'string' ? K : never }[Option];
type BooleanOption = Exclude<Option, StringOption>;
type RawValue = string | boolean | (string | boolean)[] | undefined;

const dashed = (key: string) => (key.length === 1 ? `-${key}` : `--${key}`);

/** The parsed options, checked: only known ones, string options with a value, flags without. */
class Flags {
  constructor(private readonly values: Readonly<Record<string, RawValue>>) {
    for (const [key, value] of Object.entries(values)) {
      if (!Object.hasOwn(OPTIONS, key)) throw new UsageError(`unknown option ${dashed(key)}`);
      const type = OPTIONS[key as Option].type;
      const given = Array.isArray(value) ? value : [value];
      if (type === 'string' && given.some((v) => typeof v !== 'string')) {
        throw new UsageError(`${dashed(key)} needs a value`);
      }
      if (type === 'boolean' && given.some((v) => typeof v !== 'boolean')) {
        throw new UsageError(`${dashed(key)} takes no value`);
      }
    }
  }

  string(name: StringOption): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  /** Every value of a repeatable option, in order. */
  strings(name: StringOption): string[] {
    const v = this.values[name];
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  }

  flag(name: BooleanOption): boolean {
    return this.values[name] === true;
  }
}

/** Text to print as it is (logs), where everything else is printed as JSON. */
class Text {
  constructor(readonly text: string) {}
}

type Handler = (client: ApiClient, args: string[], flags: Flags) => Promise<unknown>;

const need = (args: string[], n: number, what: string): string[] => {
  if (args.length < n) throw new UsageError(`expected ${what}`);
  return args;
};

/** The first `n` positionals, required, each encoded as one path segment. */
const segments = (args: string[], n: number, what: string): string[] =>
  need(args, n, what)
    .slice(0, n)
    .map((a) => encodeURIComponent(a));

const one = (args: string[], what: string): string => segments(args, 1, what)[0] ?? '';

/** `--command 'node "my task.js" --x'`: split as a POSIX shell would, quotes kept together. */
export function commandWords(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  // No environment: a `$VAR` stays literal text, expanded (if at all) where the command runs.
  const words = parseShellWords(text, (name) => `$${name}`);
  const bad = words.find((w) => typeof w !== 'string');
  if (bad !== undefined)
    throw new UsageError(
      `--command is one program and its arguments; quote shell syntax (${JSON.stringify(bad)})`,
    );
  if (words.length === 0) throw new UsageError('--command is empty');
  return words as string[];
}

/** `?a=1&b=2` from the parameters that are set, or ''. */
const query = (params: Record<string, string | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
};

/** `--prop k=v` (repeatable) as a properties object; the value may itself contain '='. */
const properties = (f: Flags): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const p of f.strings('prop')) {
    const eq = p.indexOf('=');
    if (eq < 0) throw new UsageError(`--prop '${p}' is not key=value`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
};

export class UsageError extends Error {}

const COMMANDS: Record<string, Handler> = {
  'apps list': (c, _a, f) => c.request('GET', `/apps${query({ size: '1000', type: f.string('type') })}`),
  'apps register': (c, a, f) => {
    const [type, name, version] = segments(a, 4, '<type> <name> <version> <uri>');
    const uri = a[3];
    const command = commandWords(f.string('command'));
    return c.request('POST', `/apps/${type}/${name}/${version}`, {
      uri,
      force: f.flag('force'),
      makeDefault: f.flag('default') ? true : undefined,
      command,
    });
  },
  'apps default': (c, a) => {
    const [type, name, version] = segments(a, 3, '<type> <name> <version>');
    return c.request('PUT', `/apps/${type}/${name}/${version}`);
  },
  'apps unregister': (c, a) => {
    const [type, name] = segments(a, 2, '<type> <name> [<version>]');
    const version = a[2];
    return c.request('DELETE', `/apps/${type}/${name}${version ? `/${encodeURIComponent(version)}` : ''}`);
  },
  'apps import': async (c, a, f) => {
    const [file] = need(a, 1, '<file>');
    const { readFile } = await import('node:fs/promises');
    return c.request('POST', '/apps/import', {
      properties: await readFile(file!, 'utf8'),
      force: f.flag('force'),
    });
  },
  'tasks list': (c, _a, f) =>
    c.request('GET', `/tasks/definitions${query({ size: '1000', search: f.string('search') })}`),
  'tasks create': (c, a, f) => {
    const [name, dsl] = need(a, 2, '<name> <dsl>');
    return c.request('POST', '/tasks/definitions', {
      name,
      definition: dsl,
      description: f.string('description'),
    });
  },
  'tasks edit': (c, a) => {
    const [name, dsl] = need(a, 2, '<name> <dsl>');
    return c.request('PUT', `/tasks/definitions/${encodeURIComponent(name!)}`, { definition: dsl });
  },
  'tasks show': (c, a) => c.request('GET', `/tasks/definitions/${one(a, '<name>')}`),
  'tasks destroy': (c, a, f) =>
    c
      .request(
        'DELETE',
        `/tasks/definitions/${one(a, '<name>')}${query({ schedules: f.flag('with-schedules') ? 'delete' : undefined })}`,
      )
      .catch((err: unknown) => {
        // The server's message names its query parameter; a CLI user needs the flag.
        if (err instanceof ApiRequestError && err.status === 409)
          throw new Error(
            `${err.message.replace(' or pass ?schedules=delete', '')}\n  (or rerun with --with-schedules)`,
          );
        throw err;
      }),
  'tasks launch': (c, a, f) =>
    c.request('POST', '/tasks/executions', {
      name: need(a, 1, '<name>')[0],
      arguments: f.strings('arg'),
      properties: properties(f),
      platform: f.string('platform'),
    }),

  'executions list': (c, _a, f) =>
    c.request(
      'GET',
      `/tasks/executions${query({
        task: f.string('task'),
        status: f.string('status'),
        size: f.string('size'),
        cursor: f.string('cursor'),
      })}`,
    ),
  'executions show': (c, a) => c.request('GET', `/tasks/executions/${one(a, '<id>')}`),
  'executions logs': async (c, a, f) =>
    new Text(
      await c.requestText(
        'GET',
        `/tasks/executions/${one(a, '<id>')}/logs${query({ tail: f.string('tail') })}`,
      ),
    ),
  'executions stop': (c, a) => {
    // `stop 1,2,3` as the route takes it; `stop 1 2 3` too.
    const ids = need(a, 1, '<id>[,<id>...]')
      .flatMap((x) => x.split(','))
      .map((x) => encodeURIComponent(x.trim()));
    return c.request('POST', `/tasks/executions/${ids.join(',')}/stop`);
  },
  'executions relaunch': (c, a) => c.request('POST', `/tasks/executions/${one(a, '<id>')}/relaunch`),
  'executions restart': (c, a) => c.request('POST', `/tasks/executions/${one(a, '<id>')}/restart`),

  'schedules create': (c, a, f) => {
    const [scheduleName, taskDefinitionName, cron] = need(a, 3, '<scheduleName> <definition> <cron>');
    return c.request('POST', '/tasks/schedules', {
      scheduleName,
      taskDefinitionName,
      cron,
      timeZone: f.string('time-zone'),
      arguments: f.strings('arg'),
      properties: properties(f),
      platform: f.string('platform'),
    });
  },
  // A catalogue like apps and tasks: up to 1000 at once unless --size says otherwise.
  'schedules list': (c, _a, f) =>
    c.request(
      'GET',
      `/tasks/schedules${query({
        taskDefinitionName: f.string('definition'),
        size: f.string('size') ?? '1000',
        cursor: f.string('cursor'),
      })}`,
    ),
  'schedules show': (c, a) => c.request('GET', `/tasks/schedules/${one(a, '<name>')}`),
  'schedules suspend': (c, a) => c.request('POST', `/tasks/schedules/${one(a, '<name>')}/suspend`),
  'schedules resume': (c, a) => c.request('POST', `/tasks/schedules/${one(a, '<name>')}/resume`),
  'schedules delete': (c, a) => c.request('DELETE', `/tasks/schedules/${one(a, '<name>')}`),

  'jobs list': (c, _a, f) =>
    c.request(
      'GET',
      `/jobs/executions${query({
        name: f.string('name'),
        status: f.string('status'),
        size: f.string('size'),
        cursor: f.string('cursor'),
      })}`,
    ),
  'jobs show': (c, a) => c.request('GET', `/jobs/executions/${one(a, '<id>')}`),
  'jobs stop': (c, a) => c.request('PUT', `/jobs/executions/${one(a, '<id>')}/stop`),
  'jobs restart': (c, a) => c.request('PUT', `/jobs/executions/${one(a, '<id>')}/restart`),
  'jobs abandon': (c, a) => c.request('PUT', `/jobs/executions/${one(a, '<id>')}/abandon`),
};

/** Writes and waits until the text is handed over (a pipe can be asynchronous; exit follows). */
const write = (text: string) =>
  new Promise<void>((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });

/** Runs a REST sub-command; returns false when `argv` names none. */
export async function runCliCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: OPTIONS,
  });
  const key = positionals.slice(0, 2).join(' ');
  const handler = Object.hasOwn(COMMANDS, key) ? COMMANDS[key] : undefined;
  if (!handler) return false;
  const flags = new Flags(values);
  if (flags.flag('help')) {
    await write(USAGE);
    return true;
  }
  const url = flags.string('url') ?? env.BATCHYARD_URL ?? 'http://127.0.0.1:9393';
  const result = await handler(new ApiClient(url), positionals.slice(2), flags);
  if (result instanceof Text) await write(result.text);
  else if (result !== null && result !== undefined) await write(`${JSON.stringify(result, null, 2)}\n`);
  return true;
}

export { USAGE };
