// Bundles the dashboard into dist/: index.html, assets/app-HASH.js and app-HASH.css (esbuild,
// minified, no CDN), uPlot's stylesheet, and elk's layout worker (loaded only by graph pages).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'src/main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((p) => p.split('/').at(-1));
const js = outputs.find((f) => f.endsWith('.js'));

const css =
  readFileSync(join(root, 'static/styles.css'), 'utf8') +
  readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
const hash = (await import('node:crypto'))
  .createHash('sha256')
  .update(css)
  .digest('hex')
  .slice(0, 8)
  .toUpperCase();
const cssName = `styles-${hash}.css`;
writeFileSync(join(dist, 'assets', cssName), css);
copyFileSync(require.resolve('elkjs/lib/elk-worker.min.js'), join(dist, 'assets', 'elk-worker.min.js'));

const html = readFileSync(join(root, 'static/index.html'), 'utf8')
  .replace('%SCRIPT%', `/assets/${js}`)
  .replace('%STYLES%', `/assets/${cssName}`);
writeFileSync(join(dist, 'index.html'), html);
writeFileSync(
  join(dist, 'manifest.json'),
  `${JSON.stringify({ script: js, styles: cssName, worker: 'elk-worker.min.js' }, null, 2)}\n`,
);
console.log(`dashboard: dist/assets/${js}, ${cssName}`);
