#!/usr/bin/env node
// The `batchyard-worker` command. A committed, executable file: npm links it at install time,
// before the build has written dist/ (a bin pointing into dist/ made every second `npm install`
// report a changed package).
await import('../dist/cli.js');
