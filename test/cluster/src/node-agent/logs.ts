import { EventEmitter } from 'node:events';

/**
 * Container output kept by the node agent, per container instance, the way the kubelet keeps the
 * current and the previous instance's log for `kubectl logs [--previous]`.
 */

export interface LogLine {
  /** RFC 3339 with nanoseconds, as the kubelet prints with timestamps=true. */
  time: string;
  epochMs: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Lines kept per container instance; older lines are dropped (the kubelet rotates too). */
const MAX_LINES = 100_000;

export class ContainerLog extends EventEmitter {
  readonly lines: LogLine[] = [];
  private partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  closed = false;

  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    const text = this.partial[stream] + chunk.toString();
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const part of parts) this.push(stream, `${part}\n`);
  }

  /** No more output: flush unterminated lines and wake followers. */
  close(): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.push(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
    this.closed = true;
    this.emit('close');
  }

  private push(stream: 'stdout' | 'stderr', text: string): void {
    const now = new Date();
    const nanos = String(now.getUTCMilliseconds() * 1_000_000).padStart(9, '0');
    const time = `${now.toISOString().slice(0, 19)}.${nanos}Z`;
    const line: LogLine = { time, epochMs: now.getTime(), stream, text };
    this.lines.push(line);
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
    this.emit('line', line);
  }
}

interface Entry {
  podUid: string;
  current: ContainerLog;
  previous?: ContainerLog;
}

export class LogStore {
  private readonly entries = new Map<string, Entry>();

  private key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  /** A fresh log for a new container instance; the old one becomes `previous`. */
  open(namespace: string, pod: string, container: string, podUid: string): ContainerLog {
    const k = this.key(namespace, pod, container);
    const old = this.entries.get(k);
    old?.current.close();
    const log = new ContainerLog();
    // A pod recreated under the same name starts without a previous log.
    const previous = old?.podUid === podUid ? old.current : undefined;
    this.entries.set(k, { podUid, current: log, previous });
    return log;
  }

  /**
   * The instance ended and a restart is coming: like the kubelet during CrashLoopBackOff, both
   * the current and the previous log are this instance's until the next one starts.
   */
  markRestarting(namespace: string, pod: string, container: string): void {
    const e = this.entries.get(this.key(namespace, pod, container));
    if (e) e.previous = e.current;
  }

  get(namespace: string, pod: string, container: string, previous = false): ContainerLog | undefined {
    const e = this.entries.get(this.key(namespace, pod, container));
    return previous ? e?.previous : e?.current;
  }

  /** Forget a deleted pod's logs (only its own: a successor may reuse the name). */
  dropPod(namespace: string, pod: string, podUid: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const k of [...this.entries.keys()]) {
      if (k.startsWith(prefix) && this.entries.get(k)?.podUid === podUid) {
        this.entries.get(k)?.current.close();
        this.entries.delete(k);
      }
    }
  }
}
