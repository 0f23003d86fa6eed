import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Three tiers, as the README explains:
//  unit        — pure logic, no I/O: `*.test.ts` next to the source.
//  integration — a real PostgreSQL (embedded, started once per run): `*.int.test.ts`.
//  e2e         — the test control plane (real kube-apiserver, controllers, scheduler) plus the
//                node agent: `test/e2e/**/*.e2e.test.ts`.
// Workspace packages resolve to their TypeScript sources through the "source" export condition.
const shared = {
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
};

// The test cluster's node agent maps this image to a real local process (a scripted task whose
// arguments choose what it does), read from BATCHYARD_IMAGE_MAP when the agent starts.
const scriptedTask = fileURLToPath(new URL('./apps/server/test/fixtures/scripted-task.mjs', import.meta.url));
// The server image runs the built server, as docker/server.Dockerfile's ENTRYPOINT does (helm e2e).
const serverMain = fileURLToPath(new URL('./apps/server/dist/main.js', import.meta.url));
// A Spring Cloud Task / Spring Batch app stand-in: reads the Spring launch contract, writes
// TASK_EXECUTION and BATCH_* with Spring's statements (apps/server/test/fixtures/spring).
const springTask = fileURLToPath(new URL('./apps/server/test/fixtures/spring/standin.mjs', import.meta.url));
process.env.BATCHYARD_IMAGE_MAP ??= JSON.stringify({
  'batchyard/scripted-task:*': { entrypoint: ['node', scriptedTask] },
  'batchyard/server:*': { entrypoint: ['node', serverMain] },
  'batchyard/spring-task:*': { entrypoint: ['node', springTask] },
});

// CI asks for a JSON report as well, to print one plain 'N passed, N failed' line per tier.
const jsonOut = process.env.VITEST_JSON_OUT;

export default defineConfig({
  test: {
    reporters: jsonOut ? ['default', ['json', { outputFile: jsonOut }]] : ['default'],
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['{packages,apps,test}/**/src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        ...shared,
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['test/setup/postgres.global.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/setup/postgres.global.ts', 'test/cluster/src/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
