/** A small REST client for the CLI: every failure is shown with the server's error body. */
export class ApiClient {
  constructor(private readonly baseUrl: string) {}

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((err: unknown) => {
      throw new Error(`cannot reach ${this.baseUrl}: ${(err as Error).message}`);
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const e = parsed as { message?: string; details?: { path: string; message: string }[] } | null;
      const details = e?.details?.map((d) => `\n  ${d.path}: ${d.message}`).join('') ?? '';
      throw new Error(`${res.status} ${e?.message ?? res.statusText}${details}`);
    }
    return parsed as T;
  }
}
