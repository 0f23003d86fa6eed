import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { CertPair } from '../tls.js';
import type { LogLine, LogStore } from './logs.js';

/**
 * The kubelet's read-only log endpoint, `GET /containerLogs/{namespace}/{pod}/{container}`, which
 * kube-apiserver proxies for `pods/log`. The API server reaches it at the Node's InternalIP and
 * `daemonEndpoints.kubeletEndpoint.Port`; without --kubelet-certificate-authority it does not
 * verify the serving certificate. Query parameters follow the kubelet: tailLines, follow,
 * timestamps, sinceSeconds, sinceTime, limitBytes, previous.
 */

function format(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${line.time} ${line.text}` : line.text;
}

function handle(store: LogStore, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  if (url.pathname === '/healthz') {
    res.writeHead(200).end('ok');
    return;
  }
  const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (req.method !== 'GET' || !m) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  const [namespace, pod, container] = m.slice(1).map(decodeURIComponent) as [string, string, string];
  const q = url.searchParams;
  const log = store.get(namespace, pod, container, q.get('previous') === 'true');
  if (!log) {
    res
      .writeHead(404, { 'Content-Type': 'text/plain' })
      .end(`container "${container}" in pod "${pod}" not found`);
    return;
  }
  const timestamps = q.get('timestamps') === 'true';
  const follow = q.get('follow') === 'true';
  const tail = q.has('tailLines') ? Number(q.get('tailLines')) : undefined;
  const sinceSeconds = q.has('sinceSeconds') ? Number(q.get('sinceSeconds')) : undefined;
  const sinceTime = q.has('sinceTime') ? Date.parse(q.get('sinceTime') ?? '') : undefined;
  let budget = q.has('limitBytes') ? Number(q.get('limitBytes')) : Number.POSITIVE_INFINITY;
  const since =
    sinceSeconds !== undefined
      ? Date.now() - sinceSeconds * 1000
      : Number.isFinite(sinceTime)
        ? sinceTime
        : undefined;

  let lines = log.lines.filter((l) => since === undefined || l.epochMs >= since);
  if (tail !== undefined && tail >= 0) lines = tail === 0 ? [] : lines.slice(-tail);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  // Returns false once limitBytes is used up, as the kubelet stops there.
  const send = (line: LogLine): boolean => {
    let text = format(line, timestamps);
    if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString();
    budget -= Buffer.byteLength(text);
    res.write(text);
    return budget > 0;
  };
  for (const line of lines) {
    if (!send(line)) {
      res.end();
      return;
    }
  }
  if (!follow || log.closed) {
    res.end();
    return;
  }
  const onLine = (line: LogLine): void => {
    if (!send(line)) finish();
  };
  const finish = (): void => {
    log.off('line', onLine);
    log.off('close', finish);
    res.end();
  };
  log.on('line', onLine);
  log.on('close', finish);
  req.on('close', () => {
    log.off('line', onLine);
    log.off('close', finish);
  });
}

export interface LogServer {
  port: number;
  close(): Promise<void>;
}

export function startLogServer(store: LogStore, cert: CertPair, port = 0): Promise<LogServer> {
  const server: Server = createServer(
    { cert: readFileSync(cert.cert), key: readFileSync(cert.key) },
    (req, res) => handle(store, req, res),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      resolve({
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
