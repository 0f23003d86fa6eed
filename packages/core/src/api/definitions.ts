import { z } from 'zod';
import { nameProblem, TASK_NAME_RULES } from '../names.js';
import { PageQuery, pageOf } from '../paging.js';
import { Timestamp } from './common.js';

export const TaskName = z
  .string()
  .superRefine((v, ctx) => {
    const problem = nameProblem(v, TASK_NAME_RULES);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('Lowercase DNS-1123 characters, starting with a letter, at most 255 characters.');

export const DslText = z
  .string()
  .min(1, 'must not be empty')
  .max(65_536)
  .describe('Task DSL (`app --key=value`) or composed-task DSL (`a && <b || c>`).');

export const CreateDefinitionBody = z
  .object({
    name: TaskName,
    definition: DslText,
    description: z.string().max(1024).optional(),
  })
  .strict();
export type CreateDefinitionBody = z.infer<typeof CreateDefinitionBody>;

export const UpdateDefinitionBody = z
  .object({
    definition: DslText,
    description: z.string().max(1024).nullable().optional(),
  })
  .strict();
export type UpdateDefinitionBody = z.infer<typeof UpdateDefinitionBody>;

export const DefinitionParams = z.object({ name: TaskName });

export const TaskDefinitionSchema = z
  .object({
    name: z.string(),
    definition: z.string(),
    description: z.string().nullable(),
    composed: z.boolean(),
    parentName: z.string().nullable().describe('For the children of a composed definition.'),
    version: z.number().int().describe('Incremented on every edit.'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'TaskDefinition' });
export type TaskDefinition = z.infer<typeof TaskDefinitionSchema>;

export const TaskDefinitionRevisionSchema = z
  .object({
    version: z.number().int(),
    definition: z.string(),
    description: z.string().nullable(),
    createdAt: Timestamp,
    supersededAt: Timestamp,
  })
  .meta({ id: 'TaskDefinitionRevision' });

export const ListDefinitionsQuery = PageQuery.extend({
  search: z.string().max(255).optional().describe('Only definitions whose name contains this text.'),
  dslText: z.string().max(1024).optional().describe('Only definitions whose DSL contains this text.'),
  description: z
    .string()
    .max(1024)
    .optional()
    .describe('Only definitions whose description contains this text.'),
});
export type ListDefinitionsQuery = z.infer<typeof ListDefinitionsQuery>;

export const DefinitionPage = pageOf(TaskDefinitionSchema).meta({ id: 'TaskDefinitionPage' });
