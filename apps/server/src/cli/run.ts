import { type ParseArgsConfig, parseArgs } from 'node:util';
import { quote } from 'shell-quote';
import { ApiClient, ApiRequestError } from './client.js';
import { COMMANDS } from './commands/index.js';
import { Flags } from './flags.js';
import { commandHelp, mainHelp, nounHelp, usageHint } from './help.js';
import { createStyle } from './output/style.js';
import { type CommandSpec, FORMATS, type Format, GLOBAL_OPTIONS, type Outcome, UsageError } from './spec.js';

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/** Every option of every command, for the first parse; each command then checks its own. */
function parserOptions(): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const o of [...GLOBAL_OPTIONS, ...COMMANDS.flatMap((c) => c.options)]) {
    out[o.name] = {
      type: o.kind === 'boolean' ? 'boolean' : 'string',
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
    };
  }
  return out;
}

/** Writes and waits until the text is handed over (a pipe can be asynchronous; exit follows). */
const writer = (stream: NodeJS.WritableStream) => (text: string) =>
  new Promise<void>((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });

function checkPositionals(c: CommandSpec, args: readonly string[]): void {
  const required = c.positionals.filter((p) => !p.optional);
  const missing = required[args.length];
  if (missing) throw new UsageError(`missing <${missing.name}>: ${missing.description}`, c);
  for (const [i, p] of c.positionals.entries()) {
    const value = args[i];
    if (p.number && value !== undefined && !/^\d+$/.test(value)) {
      throw new UsageError(`<${p.name}>: expected a number, got '${value}'`, c);
    }
  }
  const variadic = c.positionals.some((p) => p.variadic);
  const extra = args[c.positionals.length];
  if (!variadic && extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`, c);
}

/** The command as typed without its --cursor, for the 'More:' hint under a page. */
function invocation(argv: readonly string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--cursor') i++;
    else if (!a.startsWith('--cursor=')) kept.push(a);
  }
  return quote(kept);
}

function formatOf(flags: Flags, io: CliIo, command: CommandSpec): Format {
  const given = flags.string('output') ?? io.env.BATCHYARD_OUTPUT;
  if (given === undefined || given === '') return io.stdout.isTTY ? 'text' : 'json';
  if (!(FORMATS as readonly string[]).includes(given)) {
    throw new UsageError(`BATCHYARD_OUTPUT: '${given}' is not one of ${FORMATS.join(', ')}`, command);
  }
  return given as Format;
}

/** Runs a client command and returns the process exit code; prints every error once. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const out = writer(io.stdout);
  let command: CommandSpec | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: false,
      options: parserOptions(),
    });
    const [noun, verb] = positionals;
    if (!noun || noun === 'help') {
      const target = COMMANDS.find((c) => c.noun === positionals[1] && c.verb === positionals[2]);
      await out(
        target
          ? commandHelp(target)
          : positionals[1]
            ? nounHelp(positionals[1], COMMANDS)
            : mainHelp(COMMANDS),
      );
      return 0;
    }
    const ofNoun = COMMANDS.filter((c) => c.noun === noun);
    if (ofNoun.length === 0) {
      throw new UsageError(`unknown command '${noun}'; run 'batchyard help' for the list`);
    }
    command = ofNoun.find((c) => c.verb === verb);
    if (!command) {
      if (values.help === true) {
        await out(nounHelp(noun, COMMANDS));
        return 0;
      }
      // `batchyard tasks`: a usage error, answered with the verbs it takes (on stderr, exit 2).
      if (!verb) {
        await writer(io.stderr)(`batchyard: '${noun}' needs a verb\n\n${nounHelp(noun, COMMANDS)}`);
        return 2;
      }
      throw new UsageError(
        `unknown command '${noun} ${verb}'; '${noun}' takes ${ofNoun.map((c) => c.verb).join(', ')}`,
      );
    }
    const flags = new Flags(values, command);
    if (flags.flag('help')) {
      await out(commandHelp(command));
      return 0;
    }
    const args = positionals.slice(2);
    checkPositionals(command, args);
    const format = formatOf(flags, io, command);
    // A new style (and so a new clock) when the result is printed: `--wait` prints minutes later.
    const styleNow = () =>
      createStyle({
        isTTY: io.stdout.isTTY === true,
        columns: io.stdout.columns,
        env: io.env,
        wide: format === 'wide',
      });
    const style = styleNow();
    const noteStyle = createStyle({
      isTTY: io.stderr.isTTY === true,
      columns: io.stderr.columns,
      env: io.env,
      wide: false,
    });
    const url = flags.string('url') ?? io.env.BATCHYARD_URL ?? 'http://127.0.0.1:9393';
    const token = flags.string('token') ?? io.env.BATCHYARD_TOKEN;
    const outcome = await command.run({
      client: new ApiClient(url, { token: token || undefined }),
      args,
      flags,
      style,
      noteStyle,
      format,
      note: (text) => io.stderr.write(text),
      noteTTY: io.stderr.isTTY === true,
      out,
      invocation: invocation(argv),
    });
    if (flags.flag('quiet')) await printIds(outcome, out);
    else await print(outcome, format, styleNow(), out);
    return outcome.exitCode ?? 0;
  } catch (err) {
    const say = writer(io.stderr);
    if (err instanceof UsageError) {
      const where = err.command ?? command;
      await say(`batchyard: ${err.message}${where ? `\n\n${usageHint(where)}` : ''}\n`);
      return 2;
    }
    if (err instanceof ApiRequestError) {
      const hint = authHint(err.status, io.env.BATCHYARD_TOKEN !== undefined || argv.some(isTokenFlag));
      await say(`batchyard: ${err.message}\n${hint}`);
      return 1;
    }
    await say(`batchyard: ${(err as Error).message}\n`);
    return 1;
  }
}

async function print(
  outcome: Outcome,
  format: Format,
  style: ReturnType<typeof createStyle>,
  out: (t: string) => Promise<void>,
): Promise<void> {
  if (outcome.text !== undefined) return out(outcome.text);
  if (outcome.data === undefined) return;
  // A 204 (delete) has no data: a script gets nothing, a person the sentence.
  if (outcome.data === null && (format === 'json' || format === 'yaml')) return;
  if (format === 'json') return out(`${JSON.stringify(outcome.data, null, 2)}\n`);
  if (format === 'yaml') return out((await import('yaml')).stringify(outcome.data));
  if (outcome.human) return out(`${outcome.human(style)}\n`);
  return out(`${JSON.stringify(outcome.data, null, 2)}\n`);
}

/** `-q`: the ids of what was listed or acted on (names where there is no id), one a line. */
async function printIds(outcome: Outcome, out: (t: string) => Promise<void>): Promise<void> {
  if (outcome.text !== undefined) return out(outcome.text);
  const data = outcome.data as { items?: unknown[] } | unknown[] | null | undefined;
  const list = Array.isArray(data)
    ? data
    : data && Array.isArray(data.items)
      ? data.items
      : data
        ? [data]
        : [];
  const ids = list
    .map((x) =>
      x && typeof x === 'object' ? ((x as { id?: unknown }).id ?? (x as { name?: unknown }).name) : undefined,
    )
    .filter((x) => x !== undefined && x !== null);
  if (ids.length) await out(`${ids.join('\n')}\n`);
}

const isTokenFlag = (a: string): boolean => a === '--token' || a.startsWith('--token=');

/** What to do about a 401/403: how to pass a token (the server needs one), or that it lacks a role. */
export function authHint(status: number, tokenGiven: boolean): string {
  if (status === 401)
    return tokenGiven
      ? 'hint: the token was refused (unknown, revoked or expired); create a new one with `batchyard token create <name> --roles <ROLES>` on the server host, or ask an admin\n'
      : 'hint: this server requires authentication; pass an API token with --token <token> or $BATCHYARD_TOKEN (create one with `batchyard token create <name> --roles <ROLES>` on the server host, or POST /auth/tokens)\n';
  if (status === 403)
    return 'hint: the token is valid but lacks the role this action needs (the message names it); GET /about shows the roles the token holds\n';
  return '';
}
