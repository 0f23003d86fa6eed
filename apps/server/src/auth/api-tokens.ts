import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { alreadyExists, notFound } from '@batchyard/core';
import { audit, auth, type PrismaClient } from '@batchyard/db';
import { AuthError } from './errors.js';
import { type Principal, toRoles } from './principal.js';
import type { Role } from './roles.js';

/**
 * API tokens for CI and scripts: `bya_<id>_<secret>`. The secret is shown once, at creation; the
 * database keeps only its SHA-256, compared in constant time. The id part finds the row without
 * a scan and without comparing secrets of other tokens.
 */

export const TOKEN_PREFIX = 'bya_';
const TOKEN_RE = /^bya_([1-9][0-9]{0,9})_([A-Za-z0-9_-]{43})$/;

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

export function parseApiToken(text: string): { id: number; secret: string } | undefined {
  const m = TOKEN_RE.exec(text);
  if (!m) return undefined;
  const id = Number(m[1]);
  return id <= 2_147_483_647 ? { id, secret: m[2]! } : undefined;
}

export interface ApiTokenView {
  name: string;
  roles: Role[];
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

function view(row: auth.ApiTokenRow): ApiTokenView {
  return {
    name: row.name,
    roles: [...toRoles(row.roles)],
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

export class ApiTokenService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates a token; the returned `token` is the only time its secret exists outside the caller. */
  async create(
    input: { name: string; roles: readonly Role[]; expiresAt?: Date | null },
    createdBy: string,
  ): Promise<ApiTokenView & { token: string }> {
    const secret = randomBytes(32).toString('base64url');
    try {
      return await this.prisma.$transaction(async (tx) => {
        const row = await auth.createApiToken(tx, {
          name: input.name,
          secretHash: sha256Hex(secret),
          roles: [...toRoles(input.roles)],
          createdBy,
          expiresAt: input.expiresAt ?? null,
        });
        await audit.recordAudit(tx, {
          operation: 'API_TOKEN',
          action: 'CREATE',
          correlationId: input.name,
          data: { roles: row.roles, expiresAt: row.expiresAt?.toISOString() ?? null },
        });
        return { ...view(row), token: `${TOKEN_PREFIX}${row.id}_${secret}` };
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') throw alreadyExists('API token', input.name);
      throw err;
    }
  }

  async list(): Promise<ApiTokenView[]> {
    return (await auth.listApiTokens(this.prisma)).map(view);
  }

  async revoke(name: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      if (!(await auth.deleteApiToken(tx, name))) throw notFound('API token', name);
      await audit.recordAudit(tx, { operation: 'API_TOKEN', action: 'DELETE', correlationId: name });
    });
  }

  /** The principal of a presented token; AuthError when it is unknown, wrong or expired. */
  async authenticate(text: string): Promise<Principal> {
    const parsed = parseApiToken(text);
    const refused = new AuthError('UNAUTHENTICATED', 'the API token is not valid');
    if (!parsed) throw refused;
    const row = await auth.findApiToken(this.prisma, parsed.id);
    // Compare even when the row is missing, so timing does not tell which ids exist.
    const expected = Buffer.from(row?.secretHash ?? sha256Hex(''), 'hex');
    const presented = Buffer.from(sha256Hex(parsed.secret), 'hex');
    if (!timingSafeEqual(expected, presented) || !row) throw refused;
    const now = this.now();
    if (row.expiresAt && row.expiresAt <= now) {
      throw new AuthError(
        'UNAUTHENTICATED',
        `the API token '${row.name}' expired at ${row.expiresAt.toISOString()}`,
      );
    }
    await auth.touchApiToken(this.prisma, row.id, now);
    return { kind: 'token', name: `token:${row.name}`, roles: toRoles(row.roles) };
  }
}
