import { createHash, randomBytes } from 'node:crypto';
import { ApiError } from '@batchyard/core';
import { auth, type PrismaClient } from '@batchyard/db';
import type { FastifyBaseLogger } from 'fastify';
import { sha256Hex } from './api-tokens.js';
import type { AuthConfig } from './config.js';
import type { OidcVerifier } from './oidc.js';
import type { SessionService } from './sessions.js';

const LOGIN_TTL_MS = 10 * 60_000;
const random = (bytes: number): string => randomBytes(bytes).toString('base64url');

/**
 * The dashboard's login: OIDC authorization code flow with PKCE (S256) and a nonce. The state,
 * verifier and nonce live in the database for ten minutes (any replica can finish the login) and
 * are used once; the ID token is verified like any bearer token, for the client as audience.
 */
export class OidcLogin {
  constructor(
    private readonly log: FastifyBaseLogger,
    private readonly prisma: PrismaClient,
    private readonly oidc: OidcVerifier,
    private readonly sessions: SessionService,
    private readonly config: AuthConfig,
  ) {}

  /** The provider's authorization URL to redirect the browser to. */
  async start(redirectUri: string, returnTo: string): Promise<string> {
    const oidc = this.config.oidc!;
    const discovery = await this.discovery();
    if (!discovery.authorization_endpoint) throw unavailable('the provider has no authorization_endpoint');
    const state = random(32);
    const codeVerifier = random(48);
    const nonce = random(24);
    await auth.createLogin(this.prisma, {
      stateHash: sha256Hex(state),
      codeVerifier,
      nonce,
      returnTo,
      expiresAt: new Date(Date.now() + LOGIN_TTL_MS),
    });
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: oidc.clientId!,
      redirect_uri: redirectUri,
      scope: oidc.scopes.join(' '),
      state,
      nonce,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  /** Exchanges the code, verifies the ID token and opens a session. */
  async finish(redirectUri: string, code: string, state: string) {
    const oidc = this.config.oidc!;
    const login = await auth.takeLogin(this.prisma, sha256Hex(state), new Date());
    if (!login)
      throw new ApiError('UNAUTHENTICATED', 'this login has expired or was already used; log in again');
    const discovery = await this.discovery();
    if (!discovery.token_endpoint) throw unavailable('the provider has no token_endpoint');
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: login.codeVerifier,
      client_id: oidc.clientId!,
    });
    if (oidc.clientSecret) {
      const basic = `${encodeURIComponent(oidc.clientId!)}:${encodeURIComponent(oidc.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    }
    const res = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers,
      body: form,
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
    if (!res?.ok) {
      this.log.warn({ status: res?.status }, 'OIDC code exchange refused');
      throw new ApiError('UNAUTHENTICATED', 'the provider refused the login code');
    }
    const body = (await res.json()) as { id_token?: unknown; scope?: unknown };
    if (typeof body.id_token !== 'string')
      throw new ApiError('UNAUTHENTICATED', 'the provider sent no ID token');
    const payload = await this.oidc.verifyPayload(body.id_token, oidc.clientId!, login.nonce);
    const scopes =
      oidc.rolesClaim === 'scope' && typeof body.scope === 'string'
        ? body.scope.split(/\s+/).filter(Boolean)
        : [];
    const principal = this.oidc.principalOf(payload, 'session', scopes);
    const session = await this.sessions.create(principal);
    return { ...session, returnTo: login.returnTo };
  }

  private async discovery() {
    try {
      return await this.oidc.discover();
    } catch {
      throw unavailable('the OpenID provider cannot be reached');
    }
  }
}

const unavailable = (why: string) => new ApiError('PLATFORM_UNAVAILABLE', why);
