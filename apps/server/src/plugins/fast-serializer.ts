import fastJson, { type Schema } from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * Response serialisation by schema for hot read paths (list pages): the route's zod response
 * schema, turned into JSON Schema once, compiles to a fast-json-stringify function that writes
 * exactly the declared properties. The default (zod) serializer encodes every response through its
 * schema before JSON.stringify — for a page of 50 executions most of the time spent outside the
 * database (bench/README.md, list-endpoints). The zod schema stays the one contract; a schema JSON
 * Schema cannot express (a transform) falls back to the zod serializer.
 * Per route (`serializerCompiler: fastSerializerCompiler`), on routes whose handler builds the
 * response from typed DTOs, so the types already guarantee the shape the schema declares.
 */
export function fastSerializerCompiler<S>(
  route: Parameters<FastifySerializerCompiler<S>>[0],
): ReturnType<FastifySerializerCompiler<S>> {
  // At run time `schema` is the zod schema of one response status, whatever the route's type says.
  const zodRoute = route as unknown as Parameters<FastifySerializerCompiler<z.ZodType>>[0];
  try {
    const json = z.toJSONSchema(zodRoute.schema, {
      io: 'output',
      target: 'draft-7',
      unrepresentable: 'throw',
    });
    return fastJson(json as Schema) as (data: unknown) => string;
  } catch {
    return zodSerializerCompiler(zodRoute);
  }
}
