import { randomUUID } from 'node:crypto';

export interface ClientOptions {
  /** Sent as `Authorization: Bearer <token>` on every request. */
  token?: string;
}

export interface RequestOptions {
  /** Adds an `Idempotency-Key` (a fresh UUID): launch, relaunch and restart, so a retry is safe. */
  idempotent?: boolean;
}

/** A small REST client for the CLI: every failure is shown with the server's error body. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly options: ClientOptions = {},
  ) {}

  /** A JSON endpoint: the parsed body, or null for an empty one (204). */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    opts: RequestOptions = {},
  ): Promise<T> {
    const res = await this.send(method, path, body, opts);
    const text = await res.text();
    if (!text) return null as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${method} ${path}: the server answered something that is not JSON`);
    }
  }

  /** A text endpoint (logs): the body exactly as the server sent it. */
  async requestText(method: string, path: string): Promise<string> {
    return (await this.send(method, path)).text();
  }

  /** A streamed text endpoint (logs with follow=true): each chunk as it arrives, until the server ends it. */
  async stream(path: string, onChunk: (text: string) => Promise<void>): Promise<void> {
    const res = await this.send('GET', path);
    if (!res.body) return;
    const decoder = new TextDecoder();
    // Node's web stream is async-iterable (the DOM lib the dashboard brings into tests does not say so).
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const text = decoder.decode(chunk as Uint8Array, { stream: true });
      if (text) await onChunk(text);
    }
    const rest = decoder.decode();
    if (rest) await onChunk(rest);
  }

  /** The headers every request carries (exported for tests of what the CLI sends). */
  headers(hasBody: boolean, opts: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = {};
    if (hasBody) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (opts.idempotent) headers['idempotency-key'] = randomUUID();
    return headers;
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    opts: RequestOptions = {},
  ): Promise<Response> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: this.headers(body !== undefined, opts),
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((err: unknown) => {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new Error(
        `cannot reach the server at ${this.baseUrl}${cause ? ` (${cause})` : ''}; is it running? (--url or $BATCHYARD_URL)`,
      );
    });
    if (!res.ok)
      throw new ApiRequestError(res.status, describeError(res.status, res.statusText, await res.text()));
    return res;
  }
}

/** The server answered with an error status; the message is what the CLI prints. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface ErrorBody {
  message?: string;
  details?: { path: string; message: string }[];
}

/**
 * `404 task execution '7' does not exist`, then one indented line per `details[]` entry. A
 * validation error's message is its details joined; then the details alone are printed, so
 * nothing is said twice.
 */
export function describeError(status: number, statusText: string, text: string): string {
  let e: ErrorBody | null = null;
  try {
    e = JSON.parse(text) as ErrorBody | null;
  } catch {
    // not the server's JSON error body (a proxy's page, say): the status line alone
  }
  const details = Array.isArray(e?.details) ? e.details : [];
  const message = e?.message ?? statusText;
  const lines = details.map((d) => `${d.path}: ${d.message}`);
  const repeats = lines.length > 0 && lines.every((l) => message.includes(l));
  const head = repeats ? `${status} invalid request:` : `${status} ${message}`;
  return [head, ...lines.map((l) => `  ${l}`)].join('\n');
}
