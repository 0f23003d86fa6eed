import { parse as parseShellWords } from 'shell-quote';
import type { Flags } from '../flags.js';
import { type OptionSpec, UsageError } from '../spec.js';

/** One path segment. */
export const seg = (value: string | undefined): string => encodeURIComponent(value ?? '');

/** `?a=1&b=2` from the parameters that are set, or ''. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** `--prop k=v` (repeatable) as a properties object; the value may itself contain '='. */
export function properties(f: Flags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of f.strings('prop')) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--prop '${p}' is not key=value (e.g. --prop app.etl.chunkSize=500)`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

const SHELL_SYNTAX: Record<string, string> = {
  '|': "a pipe ('|')",
  '||': "an or-list ('||')",
  '&&': "an and-list ('&&')",
  ';': "a command separator (';')",
  ';;': "a case terminator (';;')",
  '&': "a background operator ('&')",
  '>': "a redirection ('>')",
  '>>': "a redirection ('>>')",
  '<': "a redirection ('<')",
  '>&': "a redirection ('>&')",
  '<(': "a process substitution ('<(')",
  '(': "a sub-shell ('(')",
  ')': "a sub-shell (')')",
};

/** `--command 'node "my task.js" --x'`: split as a POSIX shell would, quotes kept together. */
export function commandWords(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  // No environment: a `$VAR` stays literal text, expanded (if at all) where the command runs.
  const words = parseShellWords(text, (name) => `$${name}`);
  const bad = words.find((w) => typeof w !== 'string');
  if (bad !== undefined) {
    const what =
      'comment' in bad
        ? "a comment ('#')"
        : bad.op === 'glob'
          ? `a wildcard ('${bad.pattern}')`
          : (SHELL_SYNTAX[bad.op] ?? `shell syntax ('${bad.op}')`);
    throw new UsageError(
      `--command is one program and its arguments, run without a shell, so ${what} is refused; ` +
        `quote it to pass it as an argument, or put the pipeline in a script and register that`,
    );
  }
  if (words.length === 0) throw new UsageError('--command is empty; give the program and its arguments');
  return words as string[];
}

export const SIZE: OptionSpec = {
  name: 'size',
  kind: 'number',
  placeholder: '<n>',
  description: 'Page size (1–1000)',
};
export const CURSOR: OptionSpec = {
  name: 'cursor',
  kind: 'string',
  placeholder: '<c>',
  description: "The previous page's next cursor (printed under the table)",
};
export const ARG: OptionSpec = {
  name: 'arg',
  kind: 'string',
  multiple: true,
  placeholder: '<a>',
  description:
    "A command-line argument (repeat; --arg --key=value and --arg=--key=value both pass '--key=value')",
};
export const PROP: OptionSpec = {
  name: 'prop',
  kind: 'string',
  multiple: true,
  placeholder: '<k=v>',
  description:
    'A launch property: app.<app>.<key>, deployer.<app>.<key>, deployer.*.<key>, version.<app> (repeat)',
};
export const PLATFORM: OptionSpec = {
  name: 'platform',
  kind: 'string',
  placeholder: '<account>',
  description: 'Platform account (default: the first configured, `default`)',
};
