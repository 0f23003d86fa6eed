export type { AppReference, ComposedTaskChild, ParsedDefinition } from './apps.js';
export {
  childDefinitionName,
  composedTaskApps,
  isComposedTask,
  parseDefinition,
  referencedApps,
  unknownAppError,
} from './apps.js';
export type {
  ComposedApp,
  ComposedTask,
  Flow,
  FlowElement,
  Split,
  Transition,
  TransitionCondition,
  TransitionTarget,
} from './ast.js';
export { allApps, appId, withoutSpans } from './ast.js';
export { parseComposedTask } from './composed-parser.js';
export type { SourceLocation } from './errors.js';
export { DslError, formatDslError, GraphError, locate } from './errors.js';
export { formatComposedTask } from './format.js';
export type { Graph, GraphLink, GraphNode } from './graph.js';
export { toGraph } from './graph.js';
export { graphToText } from './graph-text.js';
export type {
  ChildOutcome,
  ChildOutcomes,
  ChildPlanOptions,
  ChildStatus,
  GraphFinish,
  Plan,
  PlanOptions,
} from './planner.js';
export { exitStatus, matchTransition, planComposedTask, restartOutcomes } from './planner.js';
export type { Span, TaskAppNode } from './task-definition.js';
export { formatTaskApp, parseTaskDefinition } from './task-definition.js';
export { assertValid, RESERVED_NAMES, validateComposedTask } from './validator.js';
