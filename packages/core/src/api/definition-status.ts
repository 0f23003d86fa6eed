import { z } from 'zod';
import { pageOf } from '../paging.js';
import { TaskDefinitionSchema } from './definitions.js';
import { TaskExecutionSchema } from './executions.js';

// SCDF shows a definition with its latest execution and a status derived from it. Kept apart from
// definitions.ts because executions.ts already imports from there.

/** SCDF's TaskDefinition status: UNKNOWN (never ran), RUNNING, COMPLETE, ERROR (failed, stopped, lost). */
export const DefinitionStatus = z.enum(['UNKNOWN', 'RUNNING', 'COMPLETE', 'ERROR']);
export type DefinitionStatus = z.infer<typeof DefinitionStatus>;

export const TaskDefinitionWithStatusSchema = TaskDefinitionSchema.extend({
  status: DefinitionStatus,
  lastTaskExecution: TaskExecutionSchema.nullable(),
}).meta({ id: 'TaskDefinitionWithStatus' });
export type TaskDefinitionWithStatus = z.infer<typeof TaskDefinitionWithStatusSchema>;

export const DefinitionWithStatusPage = pageOf(TaskDefinitionWithStatusSchema).meta({
  id: 'TaskDefinitionWithStatusPage',
});

export function definitionStatus(lastStatus: string | undefined): DefinitionStatus {
  if (lastStatus === undefined) return 'UNKNOWN';
  if (lastStatus === 'COMPLETE') return 'COMPLETE';
  if (['FAILED', 'STOPPED', 'LOST'].includes(lastStatus)) return 'ERROR';
  return 'RUNNING';
}
