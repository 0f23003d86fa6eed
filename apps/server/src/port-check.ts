import { createServer } from 'node:net';

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/**
 * Binds the listen address for a moment and lets it go, so a busy port is reported before
 * PostgreSQL, migrations and samples start (seconds), not after. Port 0 (any free port) passes.
 */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new PortInUseError(
            `port ${port} on ${host} is already in use (another batchyard server?); ` +
              'stop it, or choose another port with BATCHYARD_PORT (server.port)',
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new PortInUseError(
            `port ${port} on ${host} needs privileges; choose one above 1023 with BATCHYARD_PORT`,
          ),
        );
      } else reject(err);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
