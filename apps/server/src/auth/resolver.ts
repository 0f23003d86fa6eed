import { decodeJwt } from 'jose';
import type { ApiTokenService } from './api-tokens.js';
import { TOKEN_PREFIX } from './api-tokens.js';
import { AuthError } from './errors.js';
import type { OidcVerifier } from './oidc.js';
import type { Principal } from './principal.js';
import type { SessionService } from './sessions.js';
import { TASK_TOKEN_PREFIX, type TaskTokens } from './task-tokens.js';
import type { TokenReviewAuthenticator } from './token-review.js';

/** The methods that are configured; each is optional. */
export interface Authenticators {
  tokens?: ApiTokenService;
  oidc?: OidcVerifier;
  kubernetes?: TokenReviewAuthenticator;
  sessions?: SessionService;
  /** Per-execution task tokens (always on where authentication is: tasks call for their partitions). */
  tasks?: TaskTokens;
}

/** How the request presented itself: a bearer credential, a session cookie, or nothing. */
export type Presented =
  | { via: 'bearer'; principal: Principal }
  | { via: 'cookie'; principal: Principal; cookie: string }
  | { via: 'none' };

function issuerOf(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One chain for every method: `Authorization: Bearer bya_…` is an API token; another bearer is a
 * JWT of the OIDC issuer when its `iss` says so, else a Kubernetes ServiceAccount token for
 * TokenReview; without Authorization, the dashboard's session cookie. A presented credential that
 * fails is a 401 — never a silent fall-through to a weaker method.
 */
export class CredentialResolver {
  constructor(private readonly methods: Authenticators) {}

  async resolve(authorization: string | undefined, sessionCookie: string | undefined): Promise<Presented> {
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!m) throw new AuthError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
      return { via: 'bearer', principal: await this.bearer(m[1]!) };
    }
    if (sessionCookie && this.methods.sessions) {
      const principal = await this.methods.sessions.principal(sessionCookie);
      if (!principal) throw new AuthError('UNAUTHENTICATED', 'the session has expired or was logged out');
      return { via: 'cookie', principal, cookie: sessionCookie };
    }
    return { via: 'none' };
  }

  private async bearer(token: string): Promise<Principal> {
    const { tokens, oidc, kubernetes, tasks } = this.methods;
    if (token.startsWith(TASK_TOKEN_PREFIX) && tasks) return tasks.authenticate(token);
    if (token.startsWith(TOKEN_PREFIX)) {
      if (!tokens) throw new AuthError('UNAUTHENTICATED', 'API tokens are not enabled on this server');
      return tokens.authenticate(token);
    }
    if (oidc && (issuerOf(token) === oidc.config.issuer || !kubernetes)) return oidc.verify(token);
    if (kubernetes) return kubernetes.authenticate(token);
    throw new AuthError('UNAUTHENTICATED', 'the bearer token is of no method this server accepts');
  }
}
