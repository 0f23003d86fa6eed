import { type CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { type ContainerStatusJson, computePhase, conditions } from './status.js';

/**
 * Sends a pod's status to the API server. Pushes are coalesced: while one request is in flight,
 * further changes only mark the status dirty, and the next request carries the latest state, so
 * updates never arrive out of order.
 */

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class StatusReporter {
  private dirty = false;
  private inFlight: Promise<void> | undefined;
  private disabled = false;
  private final = false;
  private podReason: { reason: string; message: string } | undefined;
  private readonly startTime = new Date().toISOString();

  constructor(
    private readonly core: CoreV1Api,
    private readonly pod: () => V1Pod,
    private readonly init: ContainerStatusJson[],
    private readonly main: ContainerStatusJson[],
    private readonly log: (message: string) => void,
  ) {}

  disable(): void {
    this.disabled = true;
  }

  push(): void {
    this.dirty = true;
    if (!this.inFlight) this.inFlight = this.drain().finally(() => (this.inFlight = undefined));
  }

  /** The kubelet failed the whole pod (e.g. DeadlineExceeded): terminal phase with a reason. */
  failPod(reason: string, message: string): void {
    this.final = true;
    this.podReason = { reason, message };
    this.push();
  }

  /** Wait until the latest state is written; `final` reports a terminal phase (deletion). */
  async flush(final = false): Promise<void> {
    if (final) this.final = true;
    this.push();
    while (this.inFlight) await this.inFlight;
  }

  private body(): { status: Record<string, unknown> } {
    const pod = this.pod();
    const computed = computePhase(this.init, this.main, pod.spec?.restartPolicy ?? 'Always', this.final);
    const phase = this.podReason ? 'Failed' : computed;
    const clone = (s: ContainerStatusJson[]): ContainerStatusJson[] => JSON.parse(JSON.stringify(s));
    return {
      status: {
        phase,
        ...(this.podReason ?? {}),
        conditions: conditions(pod, this.init, this.main, phase),
        hostIP: '127.0.0.1',
        podIP: '127.0.0.1',
        podIPs: [{ ip: '127.0.0.1' }],
        startTime: pod.status?.startTime ? new Date(pod.status.startTime).toISOString() : this.startTime,
        ...(this.init.length > 0 ? { initContainerStatuses: clone(this.init) } : {}),
        containerStatuses: clone(this.main),
      },
    };
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.dirty && !this.disabled) {
      this.dirty = false;
      const meta = this.pod().metadata!;
      try {
        await this.core.patchNamespacedPodStatus(
          { name: meta.name!, namespace: meta.namespace!, body: this.body() },
          mergePatch,
        );
        failures = 0;
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 404) {
          this.disabled = true; // the pod is gone
          return;
        }
        failures++;
        this.log(`pod ${meta.namespace}/${meta.name}: status update failed (${failures}): ${String(err)}`);
        if (failures >= 10) return;
        this.dirty = true;
        await new Promise((r) => setTimeout(r, 500 * failures));
      }
    }
  }
}
