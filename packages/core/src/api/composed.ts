import { z } from 'zod';
import { DslText, TaskName } from './definitions.js';

/**
 * Schemas of the composed-task tools, in the shape of SCDF's `/tools/parseTaskTextToGraph` and
 * `/tools/convertTaskGraphToText`, so graph editors written for SCDF (Flo) can talk to Batchyard.
 */

const Properties = z.record(z.string(), z.string());

export const GraphNodeSchema = z
  .object({
    id: z.string().min(1, 'must not be empty').max(255),
    name: z.string().min(1, 'must not be empty').max(255),
    label: z.string().max(255).optional(),
    properties: Properties.optional(),
    metadata: Properties.optional(),
  })
  .meta({ id: 'GraphNode' });

export const GraphLinkSchema = z
  .object({
    from: z.string().min(1, 'must not be empty'),
    to: z.string().min(1, 'must not be empty'),
    properties: z.object({ transitionName: z.string().optional() }).optional(),
  })
  .meta({ id: 'GraphLink' });

export const GraphSchema = z
  .object({
    nodes: z.array(GraphNodeSchema).max(10_000),
    links: z.array(GraphLinkSchema).max(20_000),
  })
  .meta({ id: 'Graph' });
export type GraphBody = z.infer<typeof GraphSchema>;

export const ParseTaskTextBody = z
  .object({
    dsl: DslText,
    name: TaskName.optional().describe('The composed task name (optional, as in SCDF).'),
  })
  .strict();
export type ParseTaskTextBody = z.infer<typeof ParseTaskTextBody>;

export const DslProblemSchema = z
  .object({
    message: z.string(),
    position: z.number().int().describe('0-based offset in the text'),
    line: z.number().int().describe('1-based'),
    column: z.number().int().describe('1-based'),
  })
  .meta({ id: 'DslProblem' });

export const ParseTaskTextResponse = z
  .object({
    graph: GraphSchema.nullable().describe('null when the text has errors'),
    errors: z.array(DslProblemSchema),
  })
  .meta({ id: 'ParsedTaskGraph' });
export type ParseTaskTextResponse = z.infer<typeof ParseTaskTextResponse>;

export const ConvertTaskGraphBody = z.object({ graph: GraphSchema }).strict();
export type ConvertTaskGraphBody = z.infer<typeof ConvertTaskGraphBody>;

export const ConvertTaskGraphResponse = z.object({ dsl: z.string() }).meta({ id: 'TaskGraphText' });
