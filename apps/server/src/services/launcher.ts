import {
  ApiError,
  DEFAULT_TABLE_PREFIXES,
  entryPointStyle,
  type LaunchBody,
  notFound,
  redactJson,
  type SpringTablePrefixes,
  splitLaunchProperties,
  splitPartitionDeployer,
  type TaskExecution,
  type TaskStatus,
} from '@batchyard/core';
import { audit, type definitions, executions, launches, type Prisma, type PrismaClient } from '@batchyard/db';
import type { Logger } from 'pino';
import { TaskTokens } from '../auth/task-tokens.js';
import { IDEMPOTENCY_WINDOW_MS, type IdempotencyClaim, KeyTaken, launchOnce } from '../idempotency/claim.js';
import { type CachedDefinition, LaunchCatalog } from '../launch/catalog.js';
import type { PlatformRegistry } from '../platform/registry.js';
import type { LaunchSpec, Platform } from '../platform/types.js';
import { type LaunchRequest, LaunchSecrets } from '../secrets/launch-secrets.js';
import { withSpringContract } from '../spring/launch-contract.js';
import { dslApiError } from './dsl-errors.js';
import { toExecutionDto, toExecutionDtos } from './execution-dto.js';

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

/** A launch of a remote partition that already has its child execution (two requests at once). */
export class PartitionTaken extends Error {
  constructor(readonly partitionStepExecutionId: number) {
    super(`partition step execution ${partitionStepExecutionId} already has its execution`);
  }
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
  /** A FAILED or STOPPED composed task restarts at its failed child (the job restart of its batch job). */
  relaunch(row: executions.TaskExecution, idempotency?: IdempotencyClaim): Promise<TaskExecution>;
  /** The checks `launch` makes before anything exists (the launch preview). */
  validate(body: LaunchBody): Promise<unknown>;
}

type Definition = NonNullable<Awaited<ReturnType<typeof definitions.findDefinition>>>;

interface PreparedLaunch {
  platform: Platform;
  spec: Omit<LaunchSpec, 'executionId'>;
  /** The cached reads the launch statement re-checks (launch/catalog.ts). */
  guard: Pick<launches.LaunchInsert, 'definition' | 'app'>;
}

/** Only launches with a `beforeInsert` hook open a transaction (composed children, job restarts). */
const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 };
/** A launch whose cached reads went stale reads again; twice stale in a row is a real edit race. */
const STALE_ATTEMPTS = 3;

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
    this.catalog = new LaunchCatalog(db);
    this.taskTokens = new TaskTokens(db);
  }

  /** Definition and app reads, cached; the launch statement says when an entry went stale. */
  readonly catalog: LaunchCatalog;

  /** Set by the composed-task orchestrator when it starts; composed launches go to it. */
  composed: ComposedLaunches | undefined;

  /** Seals launch secrets for later and opens them and sealed DSL values (see secrets/launch-secrets.ts). */
  secrets = new LaunchSecrets();

  /** The job repository's Spring table prefixes, passed to Spring apps when not Spring's defaults. */
  tablePrefixes: Readonly<SpringTablePrefixes> = DEFAULT_TABLE_PREFIXES;

  /**
   * Where this server's API is reached from the processes it launches (set once it listens); with it,
   * local executions get BATCHYARD_URL and their own task token (remote partitions).
   */
  apiUrl: string | undefined;

  /** Mints task tokens at launch (see auth/task-tokens.ts). */
  private readonly taskTokens: TaskTokens;

  /** The request a stored execution was launched with, its secrets opened (409 when they cannot be). */
  storedRequest(row: executions.TaskExecution): LaunchRequest {
    return this.secrets.open(row);
  }

  private dslProperties(properties: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, this.secrets.openValue(v)]));
  }

  /**
   * Validates everything a launch needs before any row or resource exists. `partition`: the launch
   * of a remote partition, whose deployer properties are the app's with its `partition.*` ones over them.
   */
  async prepare(body: LaunchBody, found?: Definition | null, partition = false): Promise<PreparedLaunch> {
    const cached =
      found === undefined ? await this.catalog.definition(body.name) : found && LaunchCatalog.wrap(found);
    return this.prepareFrom(body, cached ?? undefined, partition);
  }

  private async prepareFrom(
    body: LaunchBody,
    cached: CachedDefinition | undefined,
    partition = false,
  ): Promise<PreparedLaunch> {
    if (!cached) throw notFound('task definition', body.name);
    const def = cached.row;
    if (def.composed) {
      // Composed launches go to the orchestrator; what reaches here (a schedule, a partition) cannot.
      const message = `${body.name} is a composed task: only POST /tasks/executions runs one (schedules of composed tasks are not supported yet)`;
      throw new ApiError('VALIDATION_FAILED', message, [{ path: 'body.name', message }]);
    }
    if ('error' in cached.node) dslApiError(cached.node.error, 'definition');
    const node = cached.node;
    const target = node.label ?? node.app;
    const props = splitLaunchProperties(body.properties, target);
    const app = await this.catalog.app(node.app, props.version);
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
      guard: {
        definition: { id: def.id, version: def.version },
        app: { id: app.id, updatedAt: app.updatedAt, viaDefault: !props.version },
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
      // Another request with the key (or for the partition) launched: answered from its execution.
      if (err instanceof KeyTaken || err instanceof PartitionTaken) throw err;
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
    for (let attempt = 1; ; attempt++) {
      const def = await this.catalog.definition(body.name);
      if (this.composed && options.parentExecutionId === undefined && def?.row.composed) {
        return this.composed.launch(body, options);
      }
      const { platform, spec, guard } = await this.prepareFrom(
        body,
        def,
        options.partitionStepExecutionId !== undefined,
      );
      // Queue, don't reject: a launch the namespace's quota cannot take now waits for capacity.
      // A transient API error does not hold a launch back; a coded refusal (no RBAC to read quotas) fails it.
      const waitingFor = await platform.shortfall?.({ ...spec, executionId: 0 }).catch(unlessRefused);
      const inserted = await this.insert(body, options, platform, guard, waitingFor);
      if (inserted.outcome === 'key-taken') throw new KeyTaken();
      if (inserted.outcome === 'partition-taken')
        throw new PartitionTaken(options.partitionStepExecutionId ?? 0);
      if (inserted.outcome === 'stale') {
        this.catalog.invalidate();
        if (attempt < STALE_ATTEMPTS) continue;
        throw new ApiError('CONFLICT', `${body.name} (or its app) changed while launching; retry`);
      }
      const row = inserted.row;
      // The full (unsanitised) request is needed again when a queued execution starts.
      const launchSpec = { ...spec, parentExecutionId: options.parentExecutionId ?? null };
      if (row.status === 'QUEUED') {
        this.pending.set(row.id, launchSpec);
        return toExecutionDto(row, [], inserted.queuePosition);
      }
      const launched = await this.start(platform, { ...launchSpec, executionId: row.id });
      // The response comes from the row the update returned; only a launch that raced a stop or
      // failed reads it again.
      if (launched) return toExecutionDto(launched);
      const current = (await executions.findExecution(this.db, row.id)) ?? row;
      return (await toExecutionDtos(this.db, [current], { fresh: true }))[0]!;
    }
  }

  /**
   * The count-and-insert: one statement (launches.insertLaunch) that takes the account's lock,
   * counts, and writes the execution, Spring's rows, the Idempotency-Key and the audit row. Counting
   * and inserting under one lock makes the limit exact under concurrent launches on any number of
   * replicas (SCDF counted pods and miscounted); the lock is held for that one statement only.
   * A `beforeInsert` hook runs in a transaction holding the same lock, the statement joining it.
   */
  private async insert(
    body: LaunchBody,
    options: LaunchOptions,
    platform: Platform,
    guard: PreparedLaunch['guard'],
    waitingFor: string | undefined,
  ): Promise<launches.LaunchInsertResult> {
    const caller = audit.auditScope.getStore();
    const claim = options.idempotency;
    const request: launches.LaunchInsert = {
      platformName: platform.name,
      platformType: platform.type,
      maxConcurrent: platform.maxConcurrent,
      ...(waitingFor ? { waitingFor } : {}),
      taskName: body.name,
      ...this.secrets.store({ arguments: body.arguments, properties: body.properties }),
      parentExecutionId: options.parentExecutionId ?? null,
      scheduleName: options.scheduleName ?? null,
      restartOfJobExecutionId: options.restartOfJobExecutionId ?? null,
      partitionStepExecutionId: options.partitionStepExecutionId ?? null,
      ...guard,
      ...(claim ? { idempotency: { ...claim, windowMs: IDEMPOTENCY_WINDOW_MS } } : {}),
      audit: {
        data: redactJson({ task: body.name }) as Prisma.InputJsonValue,
        principal: caller?.principal ?? 'system',
        requestId: caller?.requestId ?? null,
      },
    };
    const beforeInsert = options.beforeInsert;
    const result = beforeInsert
      ? await this.db.$transaction(async (tx) => {
          // The account lock first, as the statement takes it: one lock order for every launch.
          await lockAccount(tx, platform.name);
          await beforeInsert(tx);
          return launches.insertLaunch(tx, request);
        }, TX_OPTIONS)
      : await launches.insertLaunch(this.db, request);
    if (result.outcome === 'inserted' && caller) caller.recorded = true;
    return result;
  }

  private readonly pending = new Map<number, Omit<LaunchSpec, 'executionId'>>();

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
   * part of its manifest: it gets the URL and a projected ServiceAccount token from its account instead
   * (KubernetesPlatformOptions.taskApi; README "Remote partitions").
   */
  private async withTaskApi(platform: Platform, spec: LaunchSpec): Promise<LaunchSpec> {
    if (platform.type !== 'local' || !this.apiUrl) return spec;
    return { ...spec, taskApi: { url: this.apiUrl, token: await this.taskTokens.mint(spec.executionId) } };
  }

  /**
   * Creates the platform resource for a LAUNCHING row; a failure is recorded, not thrown.
   * Returns the row as the LAUNCHING → PENDING update left it, or undefined when the row had moved on.
   */
  async start(platform: Platform, spec: LaunchSpec): Promise<executions.TaskExecution | undefined> {
    try {
      const result = await platform.launch(
        withSpringContract(await this.withTaskApi(platform, spec), this.tablePrefixes),
      );
      // One statement whatever the row's status now (the reconciler may have seen the resource first).
      const marked = await launches.markLaunched(
        this.db,
        spec.executionId,
        result.externalId,
        result.manifest,
      );
      // Stopped while its resource was being created: the stop had nothing to signal, so do it now.
      if (marked?.was === 'STOPPING') {
        // Not awaited: the grace period can be long.
        void platform
          .stop(result.externalId)
          .catch((err: unknown) => this.logger.error({ err, executionId: spec.executionId }, 'stop failed'));
      }
      return marked?.row;
    } catch (err) {
      this.logger.error({ err, executionId: spec.executionId }, 'launch failed');
      await this.launchFailed(spec.executionId, err);
    }
    return undefined;
  }

  /**
   * Starts queued executions while their account has capacity. Called after every terminal
   * transition and periodically; safe to run concurrently (rows are claimed with SKIP LOCKED).
   */
  async dispatch(fence?: (tx: Prisma.TransactionClient) => Promise<boolean>): Promise<number> {
    let started = 0;
    for (const platform of this.platforms.platforms) {
      // Under the account lock the launch statement takes, so count and claim are exact. The
      // control plane runs one dispatch at a time per process (control-plane.ts dispatchSoon).
      const claimed = await this.db.$transaction(async (tx) => {
        await lockAccount(tx, platform.name);
        // A deposed leader's late dispatch claims nothing (see leader/elector.ts).
        if (fence && !(await fence(tx))) return [];
        const free = platform.maxConcurrent - (await executions.activeCount(tx, platform.name));
        return executions.claimQueued(tx, platform.name, free);
      }, TX_OPTIONS);
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
