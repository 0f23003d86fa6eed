import { createHash } from 'node:crypto';
import { ApiError, invalid, type TaskExecution } from '@batchyard/core';
import { type Db, executions, idempotency, type Prisma } from '@batchyard/db';
import type { FastifyRequest } from 'fastify';
import { toExecutionDtos } from '../services/execution-dto.js';

/**
 * `Idempotency-Key` on launches (POST /tasks/executions, relaunch, restart): the key is recorded in
 * the transaction that creates the execution, so a retry after a lost response — or after the
 * server died mid-request — returns the execution the first request made, never a second one.
 * The database's primary key on (caller, key) is the guard, also between concurrent requests.
 */

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How long a key is remembered (Stripe's and the IETF draft's customary 24 hours). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;

export type IdempotencyClaim = idempotency.IdempotencyClaim;

/** The claim a request makes, or undefined without the header. A malformed key is a 400. */
export function claimOf(req: FastifyRequest): IdempotencyClaim | undefined {
  const raw = req.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw invalid(
      'headers.idempotency-key',
      'must be 1–255 printable ASCII characters (a UUID is customary)',
    );
  }
  const requestHash = createHash('sha256')
    .update(JSON.stringify([req.method, req.routeOptions.url, req.params ?? {}, req.body ?? null]))
    .digest('hex');
  return { principal: req.principal.name, key, requestHash };
}

/** Thrown inside the launch transaction when the key is already taken: rolls everything back. */
export class KeyTaken extends Error {
  override readonly name = 'KeyTaken';
}

/** Records the claim for the execution just inserted in `tx`; throws KeyTaken when it is live. */
export async function recordClaim(
  tx: Prisma.TransactionClient,
  claim: IdempotencyClaim,
  executionId: number,
) {
  if (!(await idempotency.claimRecord(tx, claim, executionId, IDEMPOTENCY_WINDOW_MS))) throw new KeyTaken();
}

/** The execution an earlier request with the same key made, or undefined when there is none. */
export async function replay(db: Db, claim: IdempotencyClaim): Promise<TaskExecution | undefined> {
  const prior = await idempotency.findRecord(db, claim, IDEMPOTENCY_WINDOW_MS);
  if (!prior) return undefined;
  if (prior.requestHash !== claim.requestHash) {
    throw new ApiError(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key ${claim.key} was used for a different request (execution ${prior.taskExecutionId}); use a new key`,
      [{ path: 'headers.idempotency-key', message: 'already used for a different request' }],
    );
  }
  const row = await executions.findExecution(db, prior.taskExecutionId);
  if (!row) return undefined; // its execution was removed since: launch anew
  return (await toExecutionDtos(db, [row]))[0];
}

/** Runs a launch with the claim: replays an earlier result, or launches and replays on a lost race. */
export async function launchOnce(
  db: Db,
  claim: IdempotencyClaim | undefined,
  launch: () => Promise<TaskExecution>,
): Promise<TaskExecution> {
  if (!claim) return launch();
  const earlier = await replay(db, claim);
  if (earlier) return earlier;
  try {
    return await launch();
  } catch (err) {
    if (!(err instanceof KeyTaken)) throw err;
    const winner = await replay(db, claim);
    if (!winner)
      throw new ApiError(
        'CONFLICT',
        `Idempotency-Key ${claim.key} is in use by a request still running; retry`,
      );
    return winner;
  }
}
