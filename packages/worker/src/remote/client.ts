import { readFile } from 'node:fs/promises';
import type { Sleep } from '../step/fault-tolerance.js';
import type { ControlPlaneConnection } from '../step/runtime.js';

/** One partition as the control plane shows it (`GET /tasks/executions/{id}/partitions`). */
export interface PartitionView {
  stepExecutionId: number;
  stepName: string;
  /** The child task execution. */
  executionId: number;
  /** The child's task status (COMPLETE, FAILED, STOPPED, RUNNING, QUEUED, …). */
  status: string;
  reason: string | null;
  stepStatus: string;
  exitMessage: string;
}

export interface PartitionListView {
  items: PartitionView[];
  done: boolean;
}

/** An answer of the control plane that is not a success; `status` 0: it could not be reached, -1: no credential could be read. */
export class ControlPlaneError extends Error {
  override readonly name = 'ControlPlaneError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const transient = (err: unknown) =>
  err instanceof ControlPlaneError && (err.status === 0 || err.status === 429 || err.status >= 500);

/**
 * The manager step's side of the partitions API, authenticated with the task's own token. Launch
 * and stop are idempotent, so a transient failure (unreachable, 5xx) is retried a few times.
 */
export class ControlPlaneClient {
  constructor(
    private readonly connection: ControlPlaneConnection,
    private readonly sleep: Sleep,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  private get base(): string {
    return `${this.connection.url.replace(/\/+$/, '')}/tasks/executions/${this.connection.taskExecutionId}/partitions`;
  }

  launch(stepExecutionIds: readonly number[]): Promise<PartitionListView> {
    const body = { partitions: stepExecutionIds.map((stepExecutionId) => ({ stepExecutionId })) };
    return this.retried(() => this.call('POST', this.base, body));
  }

  /** Long poll: the server answers when every partition is done or after `seconds`. */
  wait(seconds: number): Promise<PartitionListView> {
    return this.retried(() => this.call('GET', `${this.base}?wait=${Math.max(0, Math.min(60, seconds))}`));
  }

  stop(): Promise<unknown> {
    return this.retried(() => this.call('POST', `${this.base}/stop`));
  }

  private async retried<T>(attempt: () => Promise<T>, tries = 5): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (i >= tries || !transient(err)) throw err;
        await this.sleep(Math.min(8000, 250 * 2 ** i));
      }
    }
  }

  /** The task token, else the token file's current content (rotated in place by the kubelet). */
  private async credential(): Promise<string | undefined> {
    if (this.connection.token) return this.connection.token;
    const file = this.connection.tokenFile;
    if (!file) return undefined;
    try {
      return (await readFile(file, 'utf8')).trim() || undefined;
    } catch (err) {
      // Not retried as transient: a pod whose token volume is missing will not grow one.
      throw new ControlPlaneError(`cannot read the task credential ${file}: ${(err as Error).message}`, -1);
    }
  }

  private async call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = await this.credential();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ControlPlaneError(
        `control plane unreachable at ${this.connection.url}: ${(err as Error).message}`,
        0,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: the text itself
      }
      throw new ControlPlaneError(`${method} ${new URL(url).pathname}: ${res.status} ${message}`, res.status);
    }
    return JSON.parse(text) as T;
  }
}
