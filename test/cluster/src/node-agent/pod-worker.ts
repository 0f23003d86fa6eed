import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreV1Api, V1Container, V1Pod } from '@kubernetes/client-node';
import { type ContainerExit, ContainerProcess } from './container.js';
import { ContainerConfigError, expandRefs, parseQuantity, resolveEnv } from './env.js';
import { containerArgv, type ImageMapping, type ImageTable, resolveImage } from './images.js';
import type { LogStore } from './logs.js';
import type { MemorySampler } from './memory.js';
import { type ContainerStatusJson, newContainerStatus, terminatedState } from './status.js';
import { StatusReporter } from './status-reporter.js';
import {
  canMountPrivately,
  kubernetesServiceEnv,
  prepareMounts,
  VolumeNotReadyError,
  withMounts,
} from './volumes.js';

/**
 * Lifecycle of one pod on the node: image lookup, init containers in order, then the containers
 * side by side, restarts per restartPolicy, and termination on deletion. Every change is reported
 * through the pod's status subresource, as the kubelet does.
 */

export interface PodWorkerDeps {
  core: CoreV1Api;
  images: ImageTable;
  logs: LogStore;
  memory: MemorySampler;
  /** Directory for per-pod working directories. */
  workDir: string;
  /** The API server URL, for the KUBERNETES_SERVICE_HOST/PORT every container gets. */
  apiServer?: string;
  /** Restart back-off: first delay and cap (the kubelet uses 10 s and 5 min; tests want less). */
  backoffMs: { initial: number; max: number };
  log(message: string): void;
}

export class PodWorker {
  private pod: V1Pod;
  private readonly reporter: StatusReporter;
  private readonly init: ContainerStatusJson[];
  private readonly main: ContainerStatusJson[];
  private readonly processes = new Map<string, ContainerProcess>();
  private deleting = false;
  private terminating: Promise<void> | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** Pending sleeps (one per container at most); pod deletion ends them all. */
  private readonly sleepers = new Set<() => void>();
  private readonly podDir: string;
  readonly finished: Promise<void>;

  constructor(
    pod: V1Pod,
    private readonly deps: PodWorkerDeps,
  ) {
    this.pod = pod;
    const spec = pod.spec!;
    this.init = (spec.initContainers ?? []).map((c) => newContainerStatus(c.name, c.image ?? ''));
    this.main = spec.containers.map((c) => newContainerStatus(c.name, c.image ?? ''));
    this.reporter = new StatusReporter(deps.core, () => this.pod, this.init, this.main, deps.log);
    const meta = pod.metadata!;
    this.podDir = join(deps.workDir, `${meta.namespace}_${meta.name}_${meta.uid}`);
    this.finished = this.run()
      .catch((err: unknown) => deps.log(`pod ${this.key}: ${String(err)}`))
      .finally(() => clearTimeout(this.deadlineTimer));
  }

  get key(): string {
    return `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
  }

  update(pod: V1Pod): void {
    this.pod = pod;
    if (pod.metadata?.deletionTimestamp && !this.terminating) {
      this.terminating = this.terminate(this.graceMs(pod), true);
    }
  }

  /** The pod object is gone (force deletion) or the agent stops: kill at once, report nothing. */
  gone(): Promise<void> {
    this.reporter.disable();
    this.terminating ??= this.terminate(0, false);
    return this.terminating;
  }

  private graceMs(pod: V1Pod): number {
    const seconds = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    return seconds * 1000;
  }

  private async terminate(graceMs: number, deletePod: boolean): Promise<void> {
    this.deleting = true;
    this.wake();
    await Promise.all([...this.processes.values()].map((p) => p.stop(graceMs)));
    await this.finished;
    const meta = this.pod.metadata!;
    if (deletePod) await this.finishDeletion();
    this.deps.logs.dropPod(meta.namespace!, meta.name!, meta.uid!);
    rmSync(this.podDir, { recursive: true, force: true });
  }

  private async finishDeletion(): Promise<void> {
    await this.reporter.flush(true);
    const meta = this.pod.metadata!;
    try {
      // Like the kubelet: once the containers are gone, finish the graceful deletion.
      await this.deps.core.deleteNamespacedPod({
        name: meta.name!,
        namespace: meta.namespace!,
        // With a body, the API server ignores query parameters: the grace period goes in the body.
        body: { gracePeriodSeconds: 0, preconditions: { uid: meta.uid } },
      });
    } catch (err) {
      // 404: already gone; 409: a new pod of the same name (uid precondition) — not ours to delete.
      if ((err as { code?: number }).code !== 404 && (err as { code?: number }).code !== 409) {
        this.deps.log(`pod ${this.key}: delete failed: ${String(err)}`);
      }
    }
  }

  /** Sleep that pod deletion interrupts. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private wake(): void {
    for (const done of [...this.sleepers]) done();
  }

  /** spec.activeDeadlineSeconds, counted from the pod's start on this node, as the kubelet does. */
  private armDeadline(): void {
    const seconds = this.pod.spec?.activeDeadlineSeconds;
    if (seconds === undefined) return;
    const timer = setTimeout(() => {
      if (this.deleting) return;
      this.deps.log(`pod ${this.key}: active deadline of ${seconds}s exceeded`);
      this.deleting = true; // no restarts from here on
      this.reporter.failPod(
        'DeadlineExceeded',
        `Pod was active on the node longer than the specified deadline`,
      );
      this.wake();
      for (const p of this.processes.values()) void p.stop(this.graceMs(this.pod));
    }, seconds * 1000);
    timer.unref();
    this.deadlineTimer = timer;
  }

  private async run(): Promise<void> {
    const spec = this.pod.spec!;
    this.armDeadline();
    const all = [...(spec.initContainers ?? []), ...spec.containers];
    const statuses = [...this.init, ...this.main];
    // Image "pull": every image must be in the table before anything starts.
    const mappings = new Map<string, ImageMapping>();
    let pullFailed = false;
    all.forEach((c, i) => {
      const mapping = resolveImage(this.deps.images, c.image ?? '');
      if (mapping) mappings.set(c.name, mapping);
      else {
        pullFailed = true;
        statuses[i]!.state = {
          waiting: {
            reason: 'ErrImagePull',
            message: `image "${c.image}" is not in the node agent's image table (see test/cluster/README.md)`,
          },
        };
      }
    });
    this.reporter.push();
    if (pullFailed) {
      await this.sleep(1000);
      for (const s of statuses) {
        if (s.state.waiting?.reason === 'ErrImagePull') {
          s.state = {
            waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${s.image}"` },
          };
        }
      }
      this.reporter.push();
      // Stays Pending until deleted, as a pod with a missing image does.
      while (!this.deleting) await this.sleep(60_000);
      return;
    }
    mkdirSync(this.podDir, { recursive: true });
    for (const [i, c] of (spec.initContainers ?? []).entries()) {
      const exit = await this.runWithRestarts(c, this.init[i]!, mappings.get(c.name)!, true);
      if (exit?.exitCode !== 0) {
        this.reporter.push();
        return;
      }
    }
    await Promise.all(
      spec.containers.map((c, i) => this.runWithRestarts(c, this.main[i]!, mappings.get(c.name)!, false)),
    );
    this.reporter.push();
  }

  private async runWithRestarts(
    c: V1Container,
    status: ContainerStatusJson,
    image: ImageMapping,
    isInit: boolean,
  ): Promise<ContainerExit | undefined> {
    const policy = this.pod.spec?.restartPolicy ?? 'Always';
    let last: ContainerExit | undefined;
    for (let attempt = 0; !this.deleting; attempt++) {
      let env: Record<string, string>;
      try {
        env = { ...(image.env ?? {}), ...(await resolveEnv(this.deps.core, this.pod, c)) };
      } catch (err) {
        // Missing Secret/ConfigMap keys and API hiccups alike: report and retry, as the kubelet does.
        const message = err instanceof ContainerConfigError ? err.message : `resolving env: ${String(err)}`;
        status.state = { waiting: { reason: 'CreateContainerConfigError', message } };
        this.reporter.push();
        await this.sleep(2000);
        continue;
      }
      if (this.deleting) break; // deleted while the env was being read
      const meta = this.pod.metadata!;
      let argv = containerArgv(image, c.command, c.args).map((a) => expandRefs(a, env));
      if (argv.length > 0 && canMountPrivately()) {
        try {
          argv = withMounts(await prepareMounts(this.deps.core, this.pod, c, this.podDir), argv, this.podDir);
        } catch (err) {
          // A volume's Secret/ConfigMap is missing (the SA token Secret comes a moment after the SA).
          const message =
            err instanceof VolumeNotReadyError ? err.message : `mounting volumes: ${String(err)}`;
          status.state = { waiting: { reason: 'ContainerCreating', message } };
          this.reporter.push();
          await this.sleep(1000);
          continue;
        }
      }
      const log = this.deps.logs.open(meta.namespace!, meta.name!, c.name, meta.uid!);
      const limit = parseQuantity(c.resources?.limits?.memory);
      const containerID = `batchyard://${meta.uid}/${c.name}/${status.restartCount}`;
      let proc: ContainerProcess;
      try {
        proc = new ContainerProcess(
          {
            argv,
            env: {
              PATH: process.env.PATH ?? '/usr/bin:/bin',
              HOME: this.podDir,
              HOSTNAME: meta.name!,
              ...kubernetesServiceEnv(this.deps.apiServer),
              ...env,
            },
            cwd: this.workingDir(c.workingDir),
            memoryLimitBytes: limit,
            log,
          },
          this.deps.memory,
        );
      } catch (err) {
        status.state = { waiting: { reason: 'CreateContainerError', message: String(err) } };
        this.reporter.push();
        await this.sleep(2000);
        continue;
      }
      this.processes.set(c.name, proc);
      Object.assign(status, {
        containerID,
        imageID: `batchyard://${c.image}`,
        started: true,
        ready: !isInit,
      });
      status.state = { running: { startedAt: proc.startedAt } };
      this.reporter.push();
      last = await proc.exited;
      this.processes.delete(c.name);
      Object.assign(status, { started: false, ready: false });
      status.state = terminatedState(last, containerID);
      // As the kubelet does: each container's end is reported when it happens, not when the pod ends.
      this.reporter.push();
      const restart =
        policy === 'Always' ? !isInit || last.exitCode !== 0 : policy === 'OnFailure' && last.exitCode !== 0;
      if (!restart || this.deleting) break;
      // Back-off before the next instance, reported like the kubelet's CrashLoopBackOff.
      const delay = Math.min(this.deps.backoffMs.initial * 2 ** attempt, this.deps.backoffMs.max);
      status.lastState = status.state;
      status.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${Math.round(delay / 1000)}s restarting failed container`,
        },
      };
      status.restartCount++;
      this.deps.logs.markRestarting(meta.namespace!, meta.name!, c.name);
      this.reporter.push();
      await this.sleep(delay);
    }
    return last;
  }

  private workingDir(dir: string | undefined): string {
    if (!dir) return this.podDir;
    if (existsSync(dir)) return dir;
    // The kubelet creates a missing workingDir inside the container; here it goes under the pod dir.
    const inside = join(this.podDir, 'rootfs', dir);
    mkdirSync(inside, { recursive: true });
    return inside;
  }
}
