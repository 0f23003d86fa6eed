import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A TCP proxy (to the API server, or to PostgreSQL) that a test can take down and bring back, to
 * give a client real connection errors (reset streams, refused connections), or stall, as a network
 * partition does: connections stay open and nothing gets through until it heals. TLS passes
 * through untouched.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  /** Client connections accepted since construction. */
  accepted = 0;
  private stalled = false;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A proxy, already up, to the API server of `kc`'s current cluster. */
  static async toApiServer(kc: KubeConfig): Promise<TcpProxy> {
    const server = new URL(kc.getCurrentCluster()?.server ?? '');
    const proxy = new TcpProxy(server.hostname, Number(server.port));
    await proxy.up();
    return proxy;
  }

  async up(): Promise<number> {
    const server = net.createServer((client) => {
      this.accepted++;
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
      if (this.stalled) for (const socket of [client, upstream]) socket.pause();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /**
   * A partition: nothing is forwarded either way, yet no connection closes (no reset, no FIN), so
   * each side waits as it would for a peer behind a dead link. What was sent is delivered on heal().
   */
  stall(): void {
    this.stalled = true;
    for (const socket of this.sockets) socket.pause();
  }

  heal(): void {
    this.stalled = false;
    for (const socket of this.sockets) socket.resume();
  }

  /** Cuts every open connection and refuses new ones until up() is called again. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** `source`'s credentials and context, loaded into `into` with the server moved to the proxy's port. */
export function throughProxy<T extends KubeConfig = KubeConfig>(
  source: KubeConfig,
  port: number,
  into: T = new KubeConfig() as T,
): T {
  const cluster = source.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  into.loadFromOptions({
    clusters: [{ ...cluster, server: `https://127.0.0.1:${port}` }],
    users: source.getUsers(),
    contexts: source.getContexts(),
    currentContext: source.getCurrentContext(),
  });
  return into;
}
