/** A small REST client for the CLI: every failure is shown with the server's error body. */
export class ApiClient {
  constructor(private readonly baseUrl: string) {}

  /** A JSON endpoint: the parsed body, or null for an empty one (204). */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await this.send(method, path, body);
    if (!text) return null as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${method} ${path}: the server answered something that is not JSON`);
    }
  }

  /** A text endpoint (logs): the body exactly as the server sent it. */
  requestText(method: string, path: string): Promise<string> {
    return this.send(method, path);
  }

  private async send(method: string, path: string, body?: unknown): Promise<string> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((err: unknown) => {
      throw new Error(`cannot reach ${this.baseUrl}: ${(err as Error).message}`);
    });
    const text = await res.text();
    if (!res.ok) throw new ApiRequestError(res.status, describeError(res.status, res.statusText, text));
    return text;
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

/** `404 task execution '7' does not exist`, then one indented line per `details[]` entry. */
function describeError(status: number, statusText: string, text: string): string {
  let e: ErrorBody | null = null;
  try {
    e = JSON.parse(text) as ErrorBody | null;
  } catch {
    // not the server's JSON error body (a proxy's page, say): the status line alone
  }
  const details = Array.isArray(e?.details)
    ? e.details.map((d) => `\n  ${d.path}: ${d.message}`).join('')
    : '';
  return `${status} ${e?.message ?? statusText}${details}`;
}
