import { type CommandSpec, GLOBAL_OPTIONS, type OptionSpec } from './spec.js';

const pad = (rows: [string, string][], indent = 2): string => {
  const w = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${' '.repeat(indent)}${a.padEnd(w)}   ${b}`.trimEnd()).join('\n');
};

export const optionLabel = (o: OptionSpec): string =>
  `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.kind === 'boolean' ? '' : ` ${o.placeholder ?? '<value>'}`}${o.multiple ? '…' : ''}`;

export const positionalLabel = (c: CommandSpec): string =>
  c.positionals
    .map((p) => {
      const name = `<${p.name}>${p.variadic ? '…' : ''}`;
      return p.optional ? `[${name}]` : name;
    })
    .join(' ');

export const synopsis = (c: CommandSpec): string =>
  `batchyard ${c.noun} ${c.verb}${c.positionals.length ? ` ${positionalLabel(c)}` : ''}${c.options.length ? ' [options]' : ''}`;

const OUTPUT = `Output: on a terminal, tables for lists and a summary for one object (-o wide adds columns);
when stdout is not a terminal (a pipe, a file, a script), JSON, exactly as -o json.
$BATCHYARD_OUTPUT sets the default; NO_COLOR=1 turns colour off, FORCE_COLOR=1 forces it.`;

const EXIT = `Exit codes: 0 done; 1 the server refused (its message and each field it names on stderr);
2 bad usage; with --wait, the task's own exit code, and 130 when interrupted.`;

export function mainHelp(commands: readonly CommandSpec[]): string {
  return `batchyard — Kubernetes-native control plane for batch work

Usage: batchyard <noun> <verb> [arguments] [options]

Server:
${pad([
  ['server', 'Start the server (configuration: README, BATCHYARD_* variables)'],
  ['migrate', 'Apply database migrations and exit'],
])}

Commands:
${pad(commands.map((c) => [`${c.noun} ${c.verb}`, c.summary]))}

Global options:
${pad(GLOBAL_OPTIONS.map((o) => [optionLabel(o), o.description]))}

${OUTPUT}
${EXIT}

Run 'batchyard <noun> <verb> --help' for a command's arguments, options and examples.
`;
}

export function nounHelp(noun: string, commands: readonly CommandSpec[]): string {
  const own = commands.filter((c) => c.noun === noun);
  return `Usage: batchyard ${noun} <verb> [arguments] [options]

Verbs:
${pad(own.map((c) => [c.verb, c.summary]))}

Run 'batchyard ${noun} <verb> --help' for a verb's arguments, options and examples.
`;
}

export function commandHelp(c: CommandSpec): string {
  const parts = [`${c.summary}\n\nUsage: ${synopsis(c)}`];
  if (c.positionals.length)
    parts.push(`Arguments:\n${pad(c.positionals.map((p) => [`<${p.name}>`, p.description]))}`);
  if (c.options.length) parts.push(`Options:\n${pad(c.options.map((o) => [optionLabel(o), o.description]))}`);
  parts.push(`Global options:\n${pad(GLOBAL_OPTIONS.map((o) => [optionLabel(o), o.description]))}`);
  if (c.notes) parts.push(c.notes);
  if (c.examples.length) parts.push(`Examples:\n${c.examples.map((e) => `  $ ${e}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}

/** After a usage error: the command's synopsis and where its help is. */
export const usageHint = (c: CommandSpec): string =>
  `Usage: ${synopsis(c)}\nRun 'batchyard ${c.noun} ${c.verb} --help' for its options and examples.`;
