import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Browser tests: Debian's Chromium driven by playwright-core against a real server and a real
// PostgreSQL (`npm run test:browser`; scripts/provision-chromium.sh installs the browser).
// Kept out of the unit/integration projects that `npm test` runs.
const root = fileURLToPath(new URL('../..', import.meta.url));
// CI asks for a JSON report as well, to print one plain 'N passed, N failed' line for every tier.
const jsonOut = process.env.VITEST_JSON_OUT;

export default defineConfig({
  root,
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    reporters: jsonOut ? ['default', ['json', { outputFile: jsonOut }]] : ['default'],
    name: 'browser',
    include: ['apps/dashboard/test/**/*.browser.test.ts'],
    globalSetup: ['test/setup/postgres.global.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
