import type { ComposedApp, ComposedTask, Flow, FlowElement, Transition } from './ast.js';
import { formatProperties } from './scanner.js';

/**
 * Canonical text of a composed task: single spaces, ' && ' and ' || ' separators, quoted statuses
 * with single quotes, no redundant parentheses. parse(format(ast)) equals ast (spans aside).
 */
export function formatComposedTask(task: ComposedTask | Flow): string {
  if (task.kind !== 'composed') return formatFlow(task);
  // Secondary sequences go on their own lines, as SCDF writes them.
  return [task.flow, ...task.secondary].map(formatFlow).join('\n');
}

export function formatFlow(flow: Flow): string {
  return flow.elements.map(formatElement).join(' && ');
}

function formatElement(element: FlowElement): string {
  if (element.kind === 'split') return `<${element.branches.map(formatFlow).join(' || ')}>`;
  return formatApp(element);
}

export function formatApp(app: ComposedApp): string {
  const label = app.label === undefined ? '' : `${app.label}: `;
  const transitions = app.transitions.map((t) => ` ${formatTransition(t)}`).join('');
  return `${label}${app.name}${formatProperties(app.properties)}${transitions}`;
}

export function formatCondition(on: Transition['on']): string {
  switch (on.kind) {
    case 'wildcard':
      return "'*'";
    case 'exitCode':
      return String(on.code);
    case 'status':
      return `'${on.status.replaceAll("'", "''")}'`;
  }
}

function formatTransition(t: Transition): string {
  const target = t.target;
  let to: string;
  switch (target.kind) {
    case 'end':
      to = '$END';
      break;
    case 'fail':
      to = '$FAIL';
      break;
    case 'ref':
      to = `:${target.label}`;
      break;
    case 'app':
      to = formatApp(target.app);
      break;
  }
  return `${formatCondition(t.on)} -> ${to}`;
}
