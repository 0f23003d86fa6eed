import {
  ApiError,
  entryPointStyle,
  type LaunchBody,
  notFound,
  splitLaunchProperties,
  splitPartitionDeployer,
  type TaskExecution,
  type TaskStatus,
} from '@batchyard/core';
import { apps, audit, definitions, executions, type Prisma, type PrismaClient } from '@batchyard/db';
import { parseTaskDefinition } from '@batchyard/dsl';
import type { Logger } from 'pino';
import { TaskTokens } from '../auth/task-tokens.js';
import { type IdempotencyClaim, KeyTaken, launchOnce, recordClaim } from '../idempotency/claim.js';
import type { PlatformRegistry } from '../platform/registry.js';
import type { LaunchSpec, Platform } from '../platform/types.js';
import { type LaunchRequest, LaunchSecrets } from '../secrets/launch-secrets.js';
import { withSpringContract } from '../spring/launch-contract.js';
import { dslApiError } from './dsl-errors.js';
import { toExecutionDtos } from './execution-dto.js';

export interface LaunchOptions {
  parentExecutionId?: number;
  scheduleName?: string;
  /** The job execution this launch restarts (recorded on the row). */
  restartOfJobExecutionId?: number;
  /**
   * Runs inside the launch transaction just before the row is inserted; throwing aborts the
   * launch. Composed tasks use it to make "one child execution per node" a database guarantee.
   */
  beforeInsert?: (tx: Prisma.TransactionClient) => Promise<void>;
  /** The caller's Idempotency-Key: recorded in the transaction that inserts the execution. */
  idempotency?: IdempotencyClaim;
  /**
   * A remote partition of `parentExecutionId`: the partition step execution it runs (unique on the
   * row, so a repeated launch cannot create a second child) and its `deployer.<app>.partition.*`.
   */
  partitionStepExecutionId?: number;
}

/** Who asked for a launch: a REST call, a schedule firing, a composed task's graph, or the platform (adopted). */
export type LaunchSource = 'api' | 'schedule' | 'composed' | 'partition' | 'adopted';
/** What came of it: started, queued for capacity, refused (4xx, nothing created), or failed. */
export type LaunchOutcome = 'launched' | 'queued' | 'rejected' | 'failed';

/** What the launcher tells the control plane (metrics, queue dispatch, composed tasks). */
export interface LauncherEvents {
  /** A terminal transition the launcher made itself (no platform event follows it). */
  terminal(executionId: number, status: TaskStatus): void;
  launch(outcome: LaunchOutcome, source: LaunchSource): void;
}

/** Launches composed definitions (apps/server/src/composed): there is no platform resource. */
export interface ComposedLaunches {
  launch(body: LaunchBody, options: LaunchOptions): Promise<TaskExecution>;
  /** The checks `launch` makes before anything exists (the launch preview). */
  validate(body: LaunchBody): Promise<unknown>;
}

type Definition = NonNullable<Awaited<ReturnType<typeof definitions.findDefinition>>>;

interface PreparedLaunch {
  platform: Platform;
  spec: Omit<LaunchSpec, 'executionId'>;
}

/** Launches serialise per account (exact limits): under a burst they wait their turn, not fail. */
const TX_OPTIONS = { maxWait: 60_000, timeout: 30_000 };

const toArgs = (props: Record<string, string>): string[] =>
  Object.entries(props).map(([k, v]) => `--${k}=${v}`);

/** Turns launch requests into platform resources, queueing when an account is at capacity. */
export class Launcher {
  constructor(
    private readonly db: PrismaClient,
    private readonly platforms: PlatformRegistry,
    private readonly logger: Logger,
    private readonly events: LauncherEvents = { terminal() {}, launch() {} },
  ) {
    this.taskTokens = new TaskTokens(db);
  }

  /** Set by the composed-task orchestrator when it starts; composed launches go to it. */
  composed: ComposedLaunches | undefined;

  /** Seals launch secrets for later and opens them and sealed DSL values (see secrets/launch-secrets.ts). */
  secrets = new LaunchSecrets();

  /** The request a stored execution was launched with, its secrets opened (409 when they cannot be). */
  storedRequest(row: executions.TaskExecution): LaunchRequest {
    return this.secrets.open(row);
  }

  private dslProperties(properties: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, this.secrets.openValue(v)]));
  }

  /**
   * Where this server's API is reached from the processes it launches (set once it listens); with it,
   * local executions get BATCHYARD_URL and their own task token (remote partitions).
   */
  apiUrl: string | undefined;

  /** Mints task tokens at launch (see auth/task-tokens.ts). */
  private readonly taskTokens: TaskTokens;

  /**
   * Validates everything a launch needs before any row or resource exists. `partition`: the launch
   * of a remote partition, whose deployer properties are the app's with its `partition.*` ones over them.
   */
  async prepare(body: LaunchBody, found?: Definition | null, partition = false): Promise<PreparedLaunch> {
    const def = found === undefined ? await definitions.findDefinition(this.db, body.name) : found;
    if (!def) throw notFound('task definition', body.name);
    if (def.composed) {
      // Composed launches go to the orchestrator; what reaches here (a schedule, a partition) cannot.
      const message = `${body.name} is a composed task: only POST /tasks/executions runs one (schedules of composed tasks are not supported yet)`;
      throw new ApiError('VALIDATION_FAILED', message, [{ path: 'body.name', message }]);
    }
    let node: ReturnType<typeof parseTaskDefinition>;
    try {
      node = parseTaskDefinition(def.dslText);
    } catch (err) {
      dslApiError(err, 'definition');
    }
    const target = node.label ?? node.app;
    const props = splitLaunchProperties(body.properties, target);
    const app = props.version
      ? await apps.findAppVersion(this.db, 'task', node.app, props.version)
      : await apps.findDefaultApp(this.db, 'task', node.app);
    if (!app) {
      const what = props.version ? `version ${props.version} of app ${node.app}` : `app ${node.app}`;
      throw new ApiError('UNKNOWN_APP', `${what} is not registered`, [
        {
          path: props.version ? `body.properties.version.${target}` : 'body.name',
          message: `${what} is not registered`,
        },
      ]);
    }
    const platform = this.platforms.resolve(body.platform);
    const command = Array.isArray(app.command) ? app.command.map(String) : null;
    const unrunnable = platform.unrunnableApp?.({ name: app.name, command, uri: app.uri });
    if (unrunnable) {
      throw new ApiError('VALIDATION_FAILED', unrunnable, [
        { path: body.platform ? 'body.platform' : 'body.name', message: unrunnable },
      ]);
    }
    const split = splitPartitionDeployer(props.deployer);
    const deployer = { ...platform.defaults, ...(partition ? split.partition : split.own) };
    const path = `body.properties.deployer.${target}`;
    const problems = platform.validateDeployerProperties(deployer, path);
    if (!partition && Object.keys(split.overrides).length > 0) {
      // The partitions' own properties are checked now, so a bad one fails the launch, not each partition.
      problems.push(...platform.validateDeployerProperties(split.overrides, `${path}.partition`));
    }
    const style = entryPointStyle(deployer.entryPointStyle);
    if (typeof style !== 'string') {
      problems.push({ path: `body.properties.deployer.${target}.entryPointStyle`, message: style.error });
    }
    if (problems.length > 0) {
      throw new ApiError(
        'INVALID_PROPERTY',
        problems.map((p) => `${p.path}: ${p.message}`).join('; '),
        problems,
      );
    }
    return {
      platform,
      spec: {
        taskName: def.name,
        appName: app.name,
        appVersion: app.version,
        uri: app.uri,
        command,
        args: [...toArgs({ ...this.dslProperties(node.properties), ...props.appArgs }), ...body.arguments],
        deployer,
        springContract: app.springContract,
      },
    };
  }

  /** Launches (or queues) one execution; every call is counted by source and outcome. */
  async launch(body: LaunchBody, options: LaunchOptions = {}): Promise<TaskExecution> {
    const source: LaunchSource =
      options.partitionStepExecutionId !== undefined
        ? 'partition'
        : options.parentExecutionId !== undefined
          ? 'composed'
          : options.scheduleName !== undefined
            ? 'schedule'
            : 'api';
    try {
      const row = await this.launchUncounted(body, options);
      this.events.launch(
        row.status === 'QUEUED' ? 'queued' : row.status === 'FAILED' ? 'failed' : 'launched',
        source,
      );
      return row;
    } catch (err) {
      if (err instanceof KeyTaken) throw err; // another request with the key launched: replayed
      this.events.launch(err instanceof ApiError && err.status < 500 ? 'rejected' : 'failed', source);
      throw err;
    }
  }

  /** A launch made at most once per Idempotency-Key (see idempotency/claim.ts). */
  launchOnce(
    claim: IdempotencyClaim | undefined,
    launch: (idempotency: IdempotencyClaim | undefined) => Promise<TaskExecution>,
  ): Promise<TaskExecution> {
    return launchOnce(this.db, claim, () => launch(claim));
  }

  private async launchUncounted(body: LaunchBody, options: LaunchOptions): Promise<TaskExecution> {
    const def = await definitions.findDefinition(this.db, body.name);
    if (this.composed && options.parentExecutionId === undefined && def?.composed) {
      return this.composed.launch(body, options);
    }
    const { platform, spec } = await this.prepare(body, def, options.partitionStepExecutionId !== undefined);
    // Queue, don't reject: a launch the namespace's quota cannot take now waits for capacity.
    // A transient API error does not hold a launch back; a coded refusal (no RBAC to read quotas) fails it.
    const waitingFor = await platform.shortfall?.({ ...spec, executionId: 0 }).catch(unlessRefused);
    const row = await this.underAccountLock(platform.name, async (tx) => {
      // Counting and inserting under one per-account lock makes the limit exact under
      // concurrent launches (SCDF counted pods and miscounted).
      const { active, queued } = await executions.capacityCounts(tx, platform.name);
      const status = active >= platform.maxConcurrent || queued > 0 || waitingFor ? 'QUEUED' : 'LAUNCHING';
      await options.beforeInsert?.(tx);
      const created = await executions.insertExecution(tx, {
        taskName: body.name,
        status,
        ...this.secrets.store({ arguments: body.arguments, properties: body.properties }),
        platformName: platform.name,
        platformType: platform.type,
        parentExecutionId: options.parentExecutionId ?? null,
        scheduleName: options.scheduleName ?? null,
        restartOfJobExecutionId: options.restartOfJobExecutionId ?? null,
        partitionStepExecutionId: options.partitionStepExecutionId ?? null,
        ...(status === 'QUEUED' && waitingFor ? { reason: 'ResourceQuota', errorMessage: waitingFor } : {}),
      });
      if (options.idempotency) await recordClaim(tx, options.idempotency, created.id);
      return created;
    });
    // Outside the account lock: the lock is held only for the count and the insert.
    const recorded = audit.recordAudit(this.db, {
      operation: 'TASK_EXECUTION',
      action: 'LAUNCH',
      correlationId: String(row.id),
      platformName: platform.name,
      data: { task: body.name, status: row.status },
    });
    // The full (unsanitised) request is needed again when a queued execution starts.
    const launchSpec = { ...spec, parentExecutionId: options.parentExecutionId ?? null };
    if (row.status === 'QUEUED') {
      this.pending.set(row.id, launchSpec);
      await recorded;
    } else {
      // The audit row and the platform create are independent (start records failures, never
      // throws): run them side by side rather than one round trip after the other.
      await Promise.all([recorded, this.start(platform, { ...launchSpec, executionId: row.id })]);
    }
    const current = (await executions.findExecution(this.db, row.id)) ?? row;
    return (await toExecutionDtos(this.db, [current], { fresh: true }))[0]!;
  }

  private readonly pending = new Map<number, Omit<LaunchSpec, 'executionId'>>();
  private readonly accountTurns = new Map<string, Promise<unknown>>();

  /**
   * Runs `work` in a transaction holding the account's advisory lock (exact limits across server
   * processes). Within this process the callers take turns first, so a burst of launches waits in
   * memory rather than as transactions each holding a pool connection while blocked on the lock
   * (leaving fewer connections for every other query).
   */
  private underAccountLock<T>(
    account: string,
    work: (tx: Prisma.TransactionClient) => Promise<T>,
  ): Promise<T> {
    const previous = this.accountTurns.get(account) ?? Promise.resolve();
    const turn = previous.then(() =>
      this.db.$transaction(async (tx) => {
        await lockAccount(tx, account);
        return work(tx);
      }, TX_OPTIONS),
    );
    const settled = turn.catch(() => undefined);
    this.accountTurns.set(account, settled);
    void settled.then(() => {
      if (this.accountTurns.get(account) === settled) this.accountTurns.delete(account);
    });
    return turn;
  }

  /** How many queued launch requests this process holds in memory (they leave when started or stopped). */
  get heldRequests(): number {
    return this.pending.size;
  }

  /** A queued execution was stopped before it started: drop its held request and say it ended. */
  stoppedWhileQueued(executionId: number): void {
    this.pending.delete(executionId);
    this.events.terminal(executionId, 'STOPPED');
  }

  /** Records a launch that could not be made; a failure is terminal and has no platform event. */
  private async launchFailed(executionId: number, err: unknown): Promise<void> {
    const failed = await executions.updateIfStatus(this.db, executionId, ['LAUNCHING'], {
      status: 'FAILED',
      reason: 'LaunchFailed',
      errorMessage: (err as Error).message,
      endTime: new Date(),
    });
    if (failed) {
      this.events.terminal(executionId, 'FAILED');
      return;
    }
    // Stopped while launching, and nothing was created: the stop is complete.
    const stopped = await executions.updateIfStatus(this.db, executionId, ['STOPPING'], {
      status: 'STOPPED',
      reason: 'StoppedWhileLaunching',
      errorMessage: (err as Error).message,
      endTime: new Date(),
    });
    if (stopped) this.events.terminal(executionId, 'STOPPED');
  }

  /**
   * A local process gets the API's address and a fresh token of its own (in its private
   * environment; the stored manifest names the variables only). A Kubernetes pod's environment is
   * part of its manifest, so it gets none: see README "Remote partitions".
   */
  private async withTaskApi(platform: Platform, spec: LaunchSpec): Promise<LaunchSpec> {
    if (platform.type !== 'local' || !this.apiUrl) return spec;
    return { ...spec, taskApi: { url: this.apiUrl, token: await this.taskTokens.mint(spec.executionId) } };
  }

  /** Creates the platform resource for a LAUNCHING row; a failure is recorded, not thrown. */
  async start(platform: Platform, spec: LaunchSpec): Promise<void> {
    try {
      const result = await platform.launch(withSpringContract(await this.withTaskApi(platform, spec)));
      const launched = {
        externalExecutionId: result.externalId,
        manifest: result.manifest as Prisma.InputJsonValue,
      };
      // Usually one update; the second only when the reconciler or a stop already moved the row on.
      if (
        !(await executions.updateIfStatus(this.db, spec.executionId, ['LAUNCHING'], {
          ...launched,
          status: 'PENDING',
        }))
      ) {
        await executions.updateIfStatus(
          this.db,
          spec.executionId,
          ['PENDING', 'RUNNING', 'STOPPING'],
          launched,
        );
        // Stopped while its resource was being created: the stop had nothing to signal, so do it now.
        const now = await executions.findExecution(this.db, spec.executionId);
        if (now?.status === 'STOPPING') {
          // Not awaited: the grace period can be long.
          void platform
            .stop(result.externalId)
            .catch((err: unknown) =>
              this.logger.error({ err, executionId: spec.executionId }, 'stop failed'),
            );
        }
      }
    } catch (err) {
      this.logger.error({ err, executionId: spec.executionId }, 'launch failed');
      await this.launchFailed(spec.executionId, err);
    }
  }

  /**
   * Starts queued executions while their account has capacity. Called after every terminal
   * transition and periodically; safe to run concurrently (rows are claimed with SKIP LOCKED).
   */
  async dispatch(fence?: (tx: Prisma.TransactionClient) => Promise<boolean>): Promise<number> {
    let started = 0;
    for (const platform of this.platforms.platforms) {
      const claimed = await this.underAccountLock(platform.name, async (tx) => {
        // A deposed leader's late dispatch claims nothing (see leader/elector.ts).
        if (fence && !(await fence(tx))) return [];
        const free = platform.maxConcurrent - (await executions.activeCount(tx, platform.name));
        return executions.claimQueued(tx, platform.name, free);
      });
      for (const [i, row] of claimed.entries()) {
        const spec = this.pending.get(row.id) ?? (await this.rebuild(row));
        if (!spec) continue;
        // A refusal keeps the row queued with the refusal as its visible reason (never swallowed).
        const waitingFor = await platform
          .shortfall?.({ ...spec, executionId: row.id })
          .catch((err: unknown) => (err instanceof ApiError ? err.message : undefined));
        if (waitingFor) {
          // Still no room: back in the queue, in order, and nothing else jumps ahead this round.
          const back = claimed.slice(i).map((r) => r.id);
          await executions.requeue(this.db, back, 'ResourceQuota', waitingFor);
          break;
        }
        this.pending.delete(row.id);
        await this.start(platform, { ...spec, executionId: row.id });
        started++;
      }
    }
    return started;
  }

  /** Start-up: a LAUNCHING row whose resource may not exist yet is launched again (idempotent). */
  async resume(platform: Platform, row: executions.TaskExecution): Promise<void> {
    const spec = await this.rebuild(row);
    if (spec) await this.start(platform, { ...spec, executionId: row.id });
  }

  /** After a restart the in-memory request is gone: rebuild it from the stored launch. */
  private async rebuild(row: executions.TaskExecution): Promise<Omit<LaunchSpec, 'executionId'> | undefined> {
    try {
      const { spec } = await this.prepare(
        { name: row.taskName, ...this.storedRequest(row), platform: row.platformName ?? undefined },
        undefined,
        row.partitionStepExecutionId !== null,
      );
      return { ...spec, parentExecutionId: row.parentExecutionId };
    } catch (err) {
      await this.launchFailed(row.id, err);
      return undefined;
    }
  }
}

async function lockAccount(tx: Prisma.TransactionClient, name: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`batchyard:account:${name}`}))`;
}

/** Quota checks: transient errors are ignored (the Job's own admission still applies the quota). */
function unlessRefused(err: unknown): undefined {
  if (err instanceof ApiError) throw err;
  return undefined;
}
