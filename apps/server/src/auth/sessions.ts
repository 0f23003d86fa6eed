import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { auth, type PrismaClient } from '@batchyard/db';
import { sha256Hex } from './api-tokens.js';
import { type Principal, toRoles } from './principal.js';

export const SESSION_COOKIE = 'batchyard_session';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Dashboard sessions: the HttpOnly cookie holds a random secret, the database its SHA-256 (so a
 * leaked row opens nothing). The CSRF token is derived from the secret, so it needs no storage and
 * only the cookie's holder can learn it (from GET /auth/session, which a cross-site page cannot read).
 */
export class SessionService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(principal: Pick<Principal, 'name' | 'roles'>): Promise<{ cookie: string; expiresAt: Date }> {
    const cookie = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.now().getTime() + this.ttlSeconds * 1000);
    await auth.createSession(this.prisma, {
      idHash: sha256Hex(cookie),
      principal: principal.name,
      roles: [...principal.roles],
      expiresAt,
    });
    return { cookie, expiresAt };
  }

  async principal(cookie: string): Promise<Principal | undefined> {
    const row = await auth.findSession(this.prisma, sha256Hex(cookie), this.now());
    return row && { kind: 'session', name: row.principal, roles: toRoles(row.roles) };
  }

  async destroy(cookie: string): Promise<void> {
    await auth.deleteSession(this.prisma, sha256Hex(cookie));
  }

  static csrfToken(cookie: string): string {
    return createHash('sha256').update(`csrf\0${cookie}`).digest('base64url');
  }

  static csrfMatches(cookie: string, presented: string | undefined): boolean {
    if (!presented) return false;
    const a = Buffer.from(SessionService.csrfToken(cookie));
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
