import type { ErrorBody } from '@batchyard/core';
import type { FastifyRequest } from 'fastify';

/**
 * Is this error "the database cannot be reached right now" (refused, reset, timed out, shutting
 * down, restarting) rather than a fault of the request or of the code? Those become 503 with
 * `Retry-After`, not 500: the request may well succeed in a moment. Errors arrive from node-pg
 * directly, from Prisma's driver adapter (which maps socket errors to kinds) and from Prisma's
 * own request errors, often wrapped: the `cause` chain (and Prisma's `meta`) is walked.
 */

/** Socket-level codes of a connection that failed or broke. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);
/** SQLSTATE class 08 (connection exception) and the server shutting down or starting up. */
const SQLSTATES = /^(08\d{3}|57P01|57P02|57P03)$/;
/** Prisma's codes for an unreachable database, a closed connection and pool timeouts. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** @prisma/adapter-pg's kinds for the same (`DriverAdapterError.cause.kind`). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
/** node-pg and pg-pool throw these as plain Errors without a code. */
const MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
];

function oneLevel(err: Record<string, unknown>): boolean {
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (code && (SOCKET_CODES.has(code) || SQLSTATES.test(code) || PRISMA_CODES.has(code))) return true;
  if (typeof err.kind === 'string' && ADAPTER_KINDS.has(err.kind)) return true;
  if (typeof err.originalCode === 'string' && SQLSTATES.test(err.originalCode)) return true;
  const message = typeof err.message === 'string' ? err.message : '';
  return MESSAGES.some((m) => m.test(message));
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (oneLevel(o)) return true;
    queue.push(o.cause);
    const meta = o.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object') queue.push(meta.driverAdapterError, meta.cause);
    if (Array.isArray(o.errors)) queue.push(...o.errors); // AggregateError (happy-eyeballs connects)
  }
  return false;
}

/** Seconds a client should wait before retrying (the embedded database restarts within a few). */
export const RETRY_AFTER_SECONDS = 5;

/** The 503 for a request that failed because the database is unreachable; undefined otherwise. */
export function databaseUnavailableReply(
  err: unknown,
  request: FastifyRequest,
): { retryAfter: string; body: ErrorBody } | undefined {
  if (!isDatabaseUnavailable(err)) return undefined;
  request.log.warn({ err }, 'database unavailable');
  return {
    retryAfter: String(RETRY_AFTER_SECONDS),
    body: {
      error: 'DATABASE_UNAVAILABLE',
      message: `the database is unavailable; retry in ${RETRY_AFTER_SECONDS} s (request ${request.id})`,
      details: [],
    },
  };
}
