import type {
  ComposedApp,
  ComposedTask,
  Flow,
  FlowElement,
  Split,
  Transition,
  TransitionCondition,
} from './ast.js';
import { DslError, locate, requireText } from './errors.js';
import { Scanner } from './scanner.js';
import { readLabelAndName, readName } from './task-definition.js';

/** Nesting beyond this is surely a mistake, and deep recursion would overflow the stack. */
const MAX_DEPTH = 64;
const MAX_EXIT_CODE = 2_147_483_647;

/**
 * Parses SCDF's composed-task DSL into an AST. It checks syntax only; call validateComposedTask
 * for the rules that span the whole definition (labels, duplicates, reachability).
 * Throws DslError and nothing else, whatever the input.
 */
export function parseComposedTask(text: string): ComposedTask {
  try {
    return new ComposedParser(requireText(text)).parse();
  } catch (error) {
    if (error instanceof DslError) throw error;
    throw new DslError('INTERNAL', `Unexpected parser failure: ${String(error)}`, String(text), 0);
  }
}

class ComposedParser {
  private readonly sc: Scanner;
  private depth = 0;

  constructor(text: string) {
    this.sc = new Scanner(text);
  }

  parse(): ComposedTask {
    const sc: Scanner = this.sc;
    sc.skipWhitespace();
    if (sc.atEnd) sc.fail('EMPTY', 'The composed task definition is empty', 0);
    const flow = this.parseFlow();
    const secondary: Flow[] = [];
    for (;;) {
      const separated = this.skipSequenceSeparator();
      if (sc.atEnd) break;
      if (!separated || !this.atLabel()) {
        if (separated === ';')
          sc.fail('SECONDARY_NEEDS_LABEL', "A sequence after ';' must start with a label: write 'name: app'");
        this.failTrailing();
      }
      secondary.push(this.parseFlow());
    }
    return { kind: 'composed', text: sc.text, flow, secondary };
  }

  /**
   * SCDF starts a secondary sequence on a new line or after ';'. Returns which separated the
   * sequences (undefined: none, so what follows is an error), leaving the position after it.
   */
  private skipSequenceSeparator(): '\n' | ';' | undefined {
    const sc: Scanner = this.sc;
    const start = sc.pos;
    sc.skipWhitespace();
    let separator: '\n' | ';' | undefined = sc.text.slice(start, sc.pos).includes('\n') ? '\n' : undefined;
    while (sc.peek() === ';') {
      separator = ';';
      sc.pos++;
      sc.skipWhitespace();
    }
    return separator;
  }

  /** `name:` ahead (a labelled app), without moving. */
  private atLabel(): boolean {
    const sc: Scanner = this.sc;
    if (!/[A-Za-z0-9_]/.test(sc.peek())) return false;
    const save = sc.pos;
    sc.readWord();
    sc.skipWhitespace();
    const labelled = sc.peek() === ':';
    sc.pos = save;
    return labelled;
  }

  private failTrailing(): never {
    const sc: Scanner = this.sc;
    const c = sc.peek();
    if (c === '>') sc.fail('UNMATCHED', "This '>' closes no split: there is no '<' before it");
    if (c === ')') sc.fail('UNMATCHED', "This ')' closes nothing: there is no '(' before it");
    if (sc.startsWith('||'))
      sc.fail('OR_OUTSIDE_SPLIT', "'||' separates the branches of a split: write <a || b>");
    if (c === '-' && !sc.startsWith('->')) {
      sc.fail('MISSING_DASHES', "Expected '--' before a property (write --name=value)");
    }
    if (/[A-Za-z0-9_$]/.test(c)) {
      sc.fail(
        'MISSING_OPERATOR',
        `Unexpected ${sc.here()}: join apps with '&&' or run them in a split <a || b>`,
      );
    }
    sc.fail('TRAILING_INPUT', `Unexpected ${sc.here()}`);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.sc.fail('TOO_DEEP', `Nesting is deeper than ${MAX_DEPTH} levels`);
  }

  /** flow := element ('&&' element)* — parenthesised flows are merged, as SCDF does. */
  private parseFlow(): Flow {
    this.enter();
    const sc: Scanner = this.sc;
    sc.skipWhitespace();
    const start = sc.pos;
    const elements: FlowElement[] = [...this.parseElement()];
    for (;;) {
      const before = sc.pos;
      sc.skipWhitespace();
      if (!sc.startsWith('&&')) {
        sc.pos = before;
        break;
      }
      sc.pos += 2;
      elements.push(...this.parseElement());
    }
    this.depth--;
    return { kind: 'flow', elements, span: { start, end: sc.pos } };
  }

  private parseElement(): FlowElement[] {
    const sc: Scanner = this.sc;
    sc.skipWhitespace();
    if (sc.peek() === '(') {
      const open = sc.pos;
      sc.pos++;
      const inner = this.parseFlow();
      sc.skipWhitespace();
      if (sc.peek() !== ')') {
        sc.fail(
          'UNCLOSED_PAREN',
          `Expected ')' to close the '(' at ${where(sc.text, open)} but found ${sc.here()}`,
        );
      }
      sc.pos++;
      return [...inner.elements];
    }
    if (sc.peek() === '<') return [this.parseSplit()];
    if (sc.atEnd || !/[A-Za-z0-9_$]/.test(sc.peek())) {
      const why = sc.atEnd ? 'the definition ends here' : `found ${sc.here()}`;
      sc.fail('EXPECTED_APP', `Expected an app name, '(' or '<' but ${why}`);
    }
    // A label may prefix an app; SCDF forbids it on '(' and, here, on splits (nothing could use it).
    const save = sc.pos;
    sc.readWord();
    sc.skipWhitespace();
    if (sc.peek() === ':') {
      sc.pos++;
      sc.skipWhitespace();
      if (sc.peek() === '(')
        sc.fail('LABELLED_PARENS', "A label cannot be put on '(': label the apps inside");
      if (sc.peek() === '<')
        sc.fail('LABELLED_SPLIT', 'A label cannot be put on a split: label the apps inside');
      const second = sc.pos;
      sc.readWord();
      sc.skipWhitespace();
      if (sc.peek() === ':') sc.fail('DOUBLE_LABEL', 'An app can have only one label', second);
    }
    sc.pos = save;
    return [this.parseApp(true)];
  }

  /** split := '<' flow ('||' flow)* '>' */
  private parseSplit(): Split {
    this.enter();
    const sc: Scanner = this.sc;
    const start = sc.pos;
    sc.pos++;
    const branches: Flow[] = [];
    for (;;) {
      branches.push(this.parseFlow());
      sc.skipWhitespace();
      if (sc.startsWith('||')) {
        sc.pos += 2;
        continue;
      }
      if (sc.peek() === '>') break;
      const why = sc.atEnd ? 'the definition ends here' : `found ${sc.here()}`;
      sc.fail(
        'UNCLOSED_SPLIT',
        `Expected '||' or '>' to close the split opened at ${where(sc.text, start)} but ${why}`,
      );
    }
    sc.pos++;
    this.depth--;
    return { kind: 'split', branches: flattenBranches(branches), span: { start, end: sc.pos } };
  }

  /** app := [label ':'] name ('--' key '=' value)* transition* */
  private parseApp(transitionsAllowed: boolean): ComposedApp {
    const sc: Scanner = this.sc;
    const { label, name, start } = readLabelAndName(sc);
    const props = new Map<string, string>();
    sc.readProperties(props);
    const end = sc.pos;
    const transitions = transitionsAllowed ? this.parseTransitions() : [];
    const app: ComposedApp = {
      kind: 'app',
      name,
      properties: Object.fromEntries(props),
      transitions,
      span: { start, end: transitions.length > 0 ? sc.pos : end },
    };
    return label === undefined ? app : { ...app, label };
  }

  /** transition := (QUOTED | NUMBER | '*') '->' (':' label | '$END' | '$FAIL' | app) */
  private parseTransitions(): Transition[] {
    const sc: Scanner = this.sc;
    const transitions: Transition[] = [];
    for (;;) {
      const before = sc.pos;
      sc.skipWhitespace();
      const start = sc.pos;
      const c = sc.peek();
      let on: TransitionCondition;
      if (sc.startsWith('->')) {
        sc.fail(
          'ARROW_WITHOUT_STATUS',
          "'->' must follow an exit status such as 'FAILED', an exit code or '*'",
        );
      }
      if (c === "'" || c === '"') {
        const status = sc.readQuoted();
        on = status === '*' ? { kind: 'wildcard' } : { kind: 'status', status };
        if (status === '') sc.fail('EMPTY_STATUS', 'The exit status of a transition cannot be empty', start);
      } else if (c === '*') {
        sc.pos++;
        on = { kind: 'wildcard' };
      } else if (/[A-Za-z0-9_$]/.test(c)) {
        const word = sc.readWord();
        const afterWord = sc.pos;
        sc.skipWhitespace();
        if (!sc.startsWith('->')) {
          // Not a transition: the word belongs to whatever follows (reported by the caller).
          sc.pos = before;
          return transitions;
        }
        sc.pos = afterWord;
        on = this.exitCode(word, start);
      } else {
        sc.pos = before;
        return transitions;
      }
      sc.skipWhitespace();
      if (!sc.startsWith('->')) {
        sc.fail('EXPECTED_ARROW', `Expected '->' after the transition status but found ${sc.here()}`);
      }
      sc.pos += 2;
      sc.skipWhitespace();
      const target = this.parseTarget();
      transitions.push({ on, target, span: { start, end: sc.pos } });
    }
  }

  private exitCode(word: string, start: number): TransitionCondition {
    if (!/^[0-9]+$/.test(word)) {
      this.sc.fail(
        'UNQUOTED_STATUS',
        `An unquoted transition status must be an exit code (a number); quote an exit status: '${word}'`,
        start,
      );
    }
    const code = Number(word);
    if (code > MAX_EXIT_CODE) this.sc.fail('EXIT_CODE_RANGE', `Exit code ${word} is too large`, start);
    return { kind: 'exitCode', code };
  }

  private parseTarget(): Transition['target'] {
    const sc: Scanner = this.sc;
    if (sc.peek() === ':') {
      sc.pos++;
      return { kind: 'ref', label: readName(sc, "a label after ':'") };
    }
    if (sc.peek() === '$') {
      const at = sc.pos;
      const word = sc.readWord();
      if (word === '$END') return { kind: 'end' };
      if (word === '$FAIL') return { kind: 'fail' };
      sc.fail('UNKNOWN_SPECIAL_TARGET', `Unknown target '${word}': use $END or $FAIL`, at);
    }
    if (sc.peek() === '<' || sc.peek() === '(') {
      sc.fail(
        'TARGET_NOT_APP',
        'A transition leads to one app, $END, $FAIL or :label, not to a split or group',
      );
    }
    return { kind: 'app', app: this.parseApp(false) };
  }
}

/**
 * <<a || b> || c> means <a || b || c>: a branch that is only a split is merged into its parent, so
 * the text, the AST and the graph have one canonical form. A split with a single branch keeps its
 * nesting so that the validator can report it.
 */
function flattenBranches(branches: Flow[]): Flow[] {
  if (branches.length < 2) return branches;
  return branches.flatMap((branch) => {
    const only = branch.elements.length === 1 ? branch.elements[0] : undefined;
    return only?.kind === 'split' && only.branches.length >= 2 ? only.branches : [branch];
  });
}

function where(text: string, position: number): string {
  const { line, column } = locate(text, position);
  return `line ${line}, column ${column}`;
}
