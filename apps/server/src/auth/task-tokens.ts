import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isTerminal, type TaskStatus } from '@batchyard/core';
import { type Db, partitions } from '@batchyard/db';
import { sha256Hex } from './api-tokens.js';
import { AuthError } from './errors.js';
import type { Principal } from './principal.js';

/**
 * A task's own credential, `byt_<executionId>_<secret>`: minted when the execution is launched,
 * handed to its process only (the environment of a local process), kept as the SHA-256 of the
 * secret. It is valid until it expires or the execution ends, and it grants no role: a route that
 * declares `task: true` lets it act on its own execution id only (launch and read its partitions).
 */
export const TASK_TOKEN_PREFIX = 'byt_';
const TASK_TOKEN_RE = /^byt_([1-9][0-9]{0,9})_([A-Za-z0-9_-]{43})$/;

/** Long enough for a manager step waiting on its partitions; it also ends with the execution. */
export const TASK_TOKEN_TTL_MS = 24 * 3600 * 1000;

export class TaskTokens {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new token for the execution (replacing any earlier one); the text exists only in the result. */
  async mint(executionId: number): Promise<string> {
    const secret = randomBytes(32).toString('base64url');
    const expires = new Date(this.now().getTime() + TASK_TOKEN_TTL_MS);
    await partitions.saveTaskToken(this.db, executionId, sha256Hex(secret), expires);
    return `${TASK_TOKEN_PREFIX}${executionId}_${secret}`;
  }

  async authenticate(text: string): Promise<Principal> {
    const m = TASK_TOKEN_RE.exec(text);
    const refused = new AuthError('UNAUTHENTICATED', 'the task token is not valid');
    const id = m ? Number(m[1]) : 0;
    if (!m || id > 2_147_483_647) throw refused;
    const row = await partitions.findTaskToken(this.db, id);
    const expected = Buffer.from(row?.secretHash ?? sha256Hex(''), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(sha256Hex(m[2]!), 'hex')) || !row) throw refused;
    if (row.expiresAt <= this.now() || isTerminal(row.status as TaskStatus)) {
      throw new AuthError('UNAUTHENTICATED', `the task token of execution ${id} is no longer valid`);
    }
    return { kind: 'task', name: `task:${id}`, roles: new Set(), executionId: id };
  }
}
