#!/usr/bin/env node
// The `batchyard` command (`npx batchyard` after `npm install` and `npm run build`). A committed,
// executable file: npm links it at install time, before the build has written dist/.
const [major, minor] = process.versions.node.split('.').map(Number);
if (
  major < 20 ||
  (major === 20 && minor < 19) ||
  (major === 22 && minor < 12) ||
  major === 21 ||
  major === 23
) {
  process.stderr.write(
    `batchyard: Node.js ${process.versions.node} is not supported; it needs Node.js 20.19+, 22.12+ or 24+ ` +
      "(the versions Prisma 7 supports; see package.json 'engines')\n",
  );
  process.exit(1);
}
await import('../dist/main.js');
