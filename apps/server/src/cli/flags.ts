import { type CommandSpec, GLOBAL_OPTIONS, type OptionSpec, UsageError } from './spec.js';

type RawValue = string | boolean | (string | boolean)[] | undefined;

const dashed = (key: string) => (key.length === 1 ? `-${key}` : `--${key}`);

/** The options given to one command, checked against what it takes: names, values, numbers, choices. */
export class Flags {
  private readonly specs: Map<string, OptionSpec>;

  constructor(
    private readonly values: Readonly<Record<string, RawValue>>,
    command: CommandSpec,
  ) {
    this.specs = new Map([...GLOBAL_OPTIONS, ...command.options].map((o) => [o.name, o]));
    for (const [key, value] of Object.entries(values)) {
      const spec = this.specs.get(key);
      const where = `${command.noun} ${command.verb}`;
      if (!spec) {
        const valid = [...this.specs.keys()].map(dashed).join(', ');
        throw new UsageError(`unknown option ${dashed(key)} for '${where}'; it takes ${valid}`, command);
      }
      const given = Array.isArray(value) ? value : [value];
      if (spec.kind === 'boolean') {
        if (given.some((v) => typeof v !== 'boolean'))
          throw new UsageError(`${dashed(key)} takes no value`, command);
        continue;
      }
      if (given.some((v) => typeof v !== 'string')) {
        throw new UsageError(
          `${dashed(key)} needs a value${spec.placeholder ? ` ${spec.placeholder}` : ''}`,
          command,
        );
      }
      if (!spec.multiple && given.length > 1) throw new UsageError(`${dashed(key)} is given twice`, command);
      for (const v of given as string[]) checkValue(spec, v, command);
    }
  }

  string(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : Array.isArray(v) ? (v.at(-1) as string | undefined) : undefined;
  }

  /** A number option, already checked to be a whole number. */
  number(name: string): number | undefined {
    const v = this.string(name);
    return v === undefined ? undefined : Number(v);
  }

  /** Every value of a repeatable option, in order. */
  strings(name: string): string[] {
    const v = this.values[name];
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }
}

function checkValue(spec: OptionSpec, value: string, command: CommandSpec): void {
  if (spec.kind === 'number' && !/^-?\d+$/.test(value.trim())) {
    throw new UsageError(`--${spec.name}: expected a number, got '${value}'`, command);
  }
  if (spec.choices && !spec.choices.includes(value)) {
    throw new UsageError(
      `--${spec.name}: '${value}' is not one of ${spec.choices.map((c) => `'${c}'`).join(', ')}`,
      command,
    );
  }
}
