import type { ApiClient } from './client.js';
import type { Flags } from './flags.js';
import type { Style } from './output/style.js';

/** One option of a command, as parsed, documented in --help and offered by shell completion. */
export interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  /** `number` options are checked here, before any request: `expected a number, got 'abc'`. */
  readonly kind: 'string' | 'number' | 'boolean';
  readonly multiple?: boolean;
  readonly placeholder?: string;
  readonly choices?: readonly string[];
  readonly description: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
  /** Takes every remaining argument (one at least, unless optional). */
  readonly variadic?: boolean;
  /** An id: checked here, `<id>: expected a number, got 'abc'`, before any request. */
  readonly number?: boolean;
}

/** `-o json|yaml` print the data as it is; `text` (the terminal default) and `wide` are for people. */
export type Format = 'text' | 'wide' | 'json' | 'yaml';
export const FORMATS: readonly Format[] = ['text', 'wide', 'json', 'yaml'];

export interface Context {
  readonly client: ApiClient;
  readonly args: readonly string[];
  readonly flags: Flags;
  readonly style: Style;
  /** The style of stderr, where progress goes (it may be a terminal while stdout is not). */
  readonly noteStyle: Style;
  readonly format: Format;
  /** Where progress and notes go (stderr), and whether it is a terminal. */
  readonly note: (text: string) => void;
  readonly noteTTY: boolean;
  readonly out: (text: string) => Promise<void>;
  /** The command as typed, without --cursor: what a 'More:' hint repeats with the next cursor. */
  readonly invocation: string;
}

/** What a command produced: data (printed per --output), or text printed as it is, and an exit code. */
export interface Outcome {
  readonly data?: unknown;
  readonly human?: (style: Style) => string;
  readonly text?: string;
  readonly exitCode?: number;
}

export interface CommandSpec {
  readonly noun: string;
  readonly verb: string;
  readonly summary: string;
  readonly positionals: readonly PositionalSpec[];
  readonly options: readonly OptionSpec[];
  readonly examples: readonly string[];
  /** Free text after the options in --help. */
  readonly notes?: string;
  run(ctx: Context): Promise<Outcome>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'url',
    kind: 'string',
    placeholder: '<url>',
    description: 'Server URL (default $BATCHYARD_URL, else http://127.0.0.1:9393)',
  },
  {
    name: 'token',
    kind: 'string',
    placeholder: '<token>',
    description: 'API token sent as Authorization: Bearer (default $BATCHYARD_TOKEN)',
  },
  {
    name: 'output',
    short: 'o',
    kind: 'string',
    placeholder: '<format>',
    choices: FORMATS,
    description:
      'text (tables, summaries), wide (more columns), json or yaml; json when stdout is not a terminal',
  },
  {
    name: 'quiet',
    short: 'q',
    kind: 'boolean',
    description:
      'Print only ids (names for apps, tasks, schedules), one a line: id=$(batchyard tasks launch x -q)',
  },
  { name: 'help', short: 'h', kind: 'boolean', description: 'Show help for the command' },
];

export const commandKey = (c: Pick<CommandSpec, 'noun' | 'verb'>) => `${c.noun} ${c.verb}`;

export class UsageError extends Error {
  /** The command whose usage to show after the message. */
  constructor(
    message: string,
    readonly command?: CommandSpec,
  ) {
    super(message);
  }
}
