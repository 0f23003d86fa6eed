import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Where the built dashboard is: BATCHYARD_DASHBOARD_DIR, else apps/dashboard/dist beside this package. */
export function dashboardDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(
    env.BATCHYARD_DASHBOARD_DIR ?? fileURLToPath(new URL('../../../dashboard/dist', import.meta.url)),
  );
}

/**
 * Serves the built dashboard: `/` and every `/ui/…` URL answer the SPA's index.html (the client
 * routes them), `/assets/…` the bundled files. Static files are public; the data they show comes
 * from the API, which checks the caller's roles. Without a build, `/` says how to make one.
 */
export function dashboardRoutes(dir = dashboardDir()): FastifyPluginAsync {
  return async (app) => {
    const assets = join(dir, 'assets');
    const index = async (reply: FastifyReply) => {
      if (!existsSync(join(dir, 'index.html'))) {
        return reply
          .status(404)
          .type('text/plain; charset=utf-8')
          .send('The dashboard is not built: run `npm run build` (it bundles apps/dashboard).');
      }
      return reply
        .type(TYPES['.html']!)
        .header('cache-control', 'no-cache')
        .send(await readFile(join(dir, 'index.html')));
    };
    const route = { config: { role: 'PUBLIC' as const }, schema: { hide: true } };
    app.get('/', route, async (_req, reply) => index(reply));
    app.get('/ui', route, async (_req, reply) => index(reply));
    app.get('/ui/*', route, async (_req, reply) => index(reply));
    app.get<{ Params: { '*': string } }>('/assets/*', route, async (req, reply) => {
      const file = normalize(join(assets, req.params['*']));
      if (!file.startsWith(assets + sep) || !existsSync(file)) {
        return reply
          .status(404)
          .send({ error: 'NOT_FOUND', message: 'no such dashboard asset', details: [] });
      }
      // Bundled names carry a content hash: cache them for good.
      const hashed = /-[A-Z0-9]{8}\.\w+$/.test(file);
      return reply
        .type(TYPES[extname(file)] ?? 'application/octet-stream')
        .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(await readFile(file));
    });
  };
}
