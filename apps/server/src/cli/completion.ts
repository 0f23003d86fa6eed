import { type CommandSpec, GLOBAL_OPTIONS, type OptionSpec } from './spec.js';

/** Shell completion scripts, generated from the command table so they never drift from it. */

const words = (list: readonly string[]) => list.join(' ');
const optionWords = (options: readonly OptionSpec[]) =>
  options.flatMap((o) => [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])]);

interface Shape {
  nouns: string[];
  verbs: Map<string, string[]>;
  options: Map<string, string[]>;
  /** Option flags whose values are a known list (`-o json`), each with its values. */
  choices: Map<string, string[]>;
}

function shape(commands: readonly CommandSpec[]): Shape {
  const verbs = new Map<string, string[]>();
  const options = new Map<string, string[]>();
  const choices = new Map<string, string[]>();
  for (const c of commands) {
    verbs.set(c.noun, [...(verbs.get(c.noun) ?? []), c.verb]);
    options.set(`${c.noun} ${c.verb}`, optionWords([...c.options, ...GLOBAL_OPTIONS]));
    for (const o of [...c.options, ...GLOBAL_OPTIONS]) {
      if (o.choices) for (const flag of optionWords([o])) choices.set(flag, [...o.choices]);
    }
  }
  return { nouns: [...verbs.keys(), 'server', 'migrate', 'help'], verbs, options, choices };
}

export function bashCompletion(commands: readonly CommandSpec[]): string {
  const s = shape(commands);
  const verbCases = [...s.verbs].map(([noun, v]) => `      ${noun}) opts="${words(v)}" ;;`).join('\n');
  const choiceCases = [...s.choices]
    .map(([flag, v]) => `    ${flag}) COMPREPLY=($(compgen -W "${words(v)}" -- "$cur")); return ;;`)
    .join('\n');
  const optionCases = [...s.options].map(([cmd, v]) => `    "${cmd}") opts="${words(v)}" ;;`).join('\n');
  return `# bash completion for batchyard. Load it with:  source <(batchyard completion bash)
# or install it:  batchyard completion bash > /etc/bash_completion.d/batchyard
_batchyard() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${words(s.nouns)}" -- "$cur"))
    return
  fi
  if [ "$COMP_CWORD" -eq 2 ]; then
    case "\${COMP_WORDS[1]}" in
${verbCases}
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  case "$prev" in
${choiceCases}
  esac
  case "\${COMP_WORDS[1]} \${COMP_WORDS[2]}" in
${optionCases}
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _batchyard batchyard
`;
}

export function zshCompletion(commands: readonly CommandSpec[]): string {
  const s = shape(commands);
  const verbCases = [...s.verbs].map(([noun, v]) => `      ${noun}) compadd -- ${words(v)} ;;`).join('\n');
  const choiceCases = [...s.choices]
    .map(([flag, v]) => `    ${flag}) compadd -- ${words(v)}; return ;;`)
    .join('\n');
  const optionCases = [...s.options].map(([cmd, v]) => `    "${cmd}") compadd -- ${words(v)} ;;`).join('\n');
  return `#compdef batchyard
# zsh completion for batchyard. Load it with:  source <(batchyard completion zsh)
# (after compinit), or save it as _batchyard in a directory of your $fpath.
_batchyard() {
  if (( CURRENT == 2 )); then
    compadd -- ${words(s.nouns)}
    return
  fi
  if (( CURRENT == 3 )); then
    case "$words[2]" in
${verbCases}
    esac
    return
  fi
  case "$words[CURRENT-1]" in
${choiceCases}
  esac
  case "$words[2] $words[3]" in
${optionCases}
  esac
}
compdef _batchyard batchyard
`;
}
