import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';

/**
 * Property-based: strings PostgreSQL cannot store (NUL, lone surrogates), oversized and odd values,
 * in every path parameter, query parameter and body field of every operation of the OpenAPI
 * document. Whatever comes in, the answer is never a 5xx.
 */

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string }[];
  bodyFields: string[];
}

const nasty = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDFFF', '\uDBFF\uDBFF', '🚀\uD83D', '%00', '../..', ''),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 300, maxLength: 5000 }),
  fc.constantFrom('9'.repeat(40), '-1', '1e309', 'NaN', 'true', '{}', '[]'),
);
const anyValue = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nasty, { maxLength: 3 }),
  fc.dictionary(nasty, nasty, { maxKeys: 3 }),
);

describe('fuzzing every operation with unstorable and oversized strings', () => {
  let s: TestServer;
  let operations: Operation[] = [];

  beforeAll(async () => {
    s = await startTestServer({ BATCHYARD_REGISTER_SAMPLES: 'false', BATCHYARD_SCHEDULE_CHECK_SECONDS: '0' });
    const doc = (
      await s.request<{
        paths: Record<
          string,
          Record<
            string,
            {
              parameters?: Operation['parameters'];
              requestBody?: {
                content?: Record<string, { schema?: { properties?: Record<string, unknown> } }>;
              };
            }
          >
        >;
      }>('GET', '/openapi.json')
    ).body;
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        bodyFields: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
      })),
    );
  });
  afterAll(() => s.close());

  it('never answers 5xx', async () => {
    expect(operations.length).toBeGreaterThan(50);
    const fiveHundreds: string[] = [];
    for (const op of operations) {
      if (op.path.endsWith('/logs')) continue; // follow=true streams; covered with a bounded value below
      if (op.path === '/events') continue; // an endless stream when valid; bad topics are checked below
      await fc
        .assert(
          fc.asyncProperty(
            fc.dictionary(fc.constantFrom(...op.parameters.map((p) => p.name), '_'), nasty),
            fc.dictionary(fc.constantFrom(...op.bodyFields, 'extra'), anyValue),
            async (params, body) => {
              const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
                encodeURIComponent(params[name] ?? '\u0000'),
              );
              const query = new URLSearchParams();
              for (const p of op.parameters)
                if (p.in === 'query' && params[p.name] !== undefined) query.set(p.name, params[p.name]!);
              const send = op.method !== 'GET' && op.method !== 'DELETE';
              const r = await s.request(
                op.method,
                `${url}${query.size ? `?${query}` : ''}`,
                send ? body : undefined,
              );
              if (r.status >= 500)
                fiveHundreds.push(`${op.method} ${url} ${JSON.stringify(body).slice(0, 200)} → ${r.status}`);
              return r.status < 500;
            },
          ),
          { numRuns: 8, seed: 20261202 },
        )
        .catch(() => undefined);
    }
    const logs = await s.request('GET', '/tasks/executions/%00/logs?tail=%00');
    expect(logs.status).toBeLessThan(500);
    for (const topics of ['%00', 'executions,%F0%9F%92%A5', 'x'.repeat(300)])
      expect((await s.request('GET', `/events?topics=${topics}`)).status).toBe(400);
    expect(fiveHundreds).toEqual([]);
  });
});
