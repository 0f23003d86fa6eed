import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { OidcConfig } from './config.js';
import { AuthError } from './errors.js';
import { mapRoles, type Principal } from './principal.js';

/** The parts of an issuer's discovery document Batchyard uses. */
export interface OidcDiscovery {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  end_session_endpoint?: string;
}

export interface OidcVerifierOptions {
  /** Minimum time between JWKS refetches for an unknown `kid` (jose's cooldown; tests use 0). */
  jwksCooldownMs?: number;
}

/** Values of a claim that holds scopes or groups: a space-separated string or an array. */
export function claimValues(payload: JWTPayload, claim: string): string[] {
  const value = payload[claim];
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Why jose refused a token, in words a caller can act on (never the token itself). */
function refusal(err: unknown): string {
  const code = (err as { code?: string }).code;
  const claim = (err as { claim?: string }).claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `the token's ${claim ?? 'claims'} claim is not accepted`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return "the token's signing algorithm is not allowed";
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return "the token's signing key is not one of the issuer's keys";
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return "the token's signature does not verify";
    case 'ERR_JWT_INVALID':
    case 'ERR_JWS_INVALID':
      return 'the token is not a valid JWT';
    default:
      return 'the token could not be verified';
  }
}

/**
 * Verifies bearer JWTs of one OIDC issuer: issuer and audience pinned, keys from the issuer's
 * JWKS (cached; refetched when an unknown `kid` appears, so rotation needs no restart), a short
 * algorithm allow-list and a small clock skew. Roles come from one claim through a mapping table.
 */
export class OidcVerifier {
  private discovery?: Promise<OidcDiscovery>;
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(
    readonly config: OidcConfig,
    private readonly options: OidcVerifierOptions = {},
  ) {}

  /** The issuer's discovery document, fetched once (retried on the next call after a failure). */
  discover(): Promise<OidcDiscovery> {
    this.discovery ??= fetchDiscovery(this.config.issuer).catch((err: unknown) => {
      this.discovery = undefined;
      throw err;
    });
    return this.discovery;
  }

  private jwks(): Promise<JWTVerifyGetKey> {
    this.keys ??= (async () => {
      const uri = this.config.jwksUri ?? (await this.discover()).jwks_uri;
      return createRemoteJWKSet(new URL(uri), {
        cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
        timeoutDuration: 5_000,
      });
    })().catch((err: unknown) => {
      this.keys = undefined;
      throw err;
    });
    return this.keys;
  }

  /** Verifies `token` for `audience` (default: the API's); returns its payload or throws AuthError. */
  async verifyPayload(token: string, audience: string | string[] = this.config.audience, nonce?: string) {
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.jwks();
    } catch {
      throw new AuthError('UNAUTHENTICATED', 'the OpenID provider could not be reached to verify the token');
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.config.issuer,
        audience,
        algorithms: this.config.algorithms,
        clockTolerance: this.config.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      if (nonce !== undefined && payload.nonce !== nonce) {
        throw new AuthError('UNAUTHENTICATED', 'the ID token does not answer this login (nonce)');
      }
      return payload;
    } catch (err) {
      if (err instanceof AuthError) throw err;
      throw new AuthError('UNAUTHENTICATED', `bearer token refused: ${refusal(err)}`);
    }
  }

  /** The principal a verified payload stands for. */
  principalOf(payload: JWTPayload, kind: 'oidc' | 'session', extraValues: readonly string[] = []): Principal {
    const values = [...claimValues(payload, this.config.rolesClaim), ...extraValues];
    const who =
      (typeof payload.preferred_username === 'string' && payload.preferred_username) ||
      (typeof payload.email === 'string' && payload.email) ||
      payload.sub;
    return { kind, name: `oidc:${who}`, roles: mapRoles(values, this.config.roleMappings) };
  }

  async verify(token: string): Promise<Principal> {
    return this.principalOf(await this.verifyPayload(token), 'oidc');
  }
}

async function fetchDiscovery(issuer: string): Promise<OidcDiscovery> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`OIDC discovery ${url}: HTTP ${res.status}`);
  const doc = (await res.json()) as Partial<OidcDiscovery>;
  if (doc.issuer !== issuer || typeof doc.jwks_uri !== 'string') {
    throw new Error(
      `OIDC discovery ${url}: issuer ${String(doc.issuer)} does not match ${issuer}, or no jwks_uri`,
    );
  }
  return doc as OidcDiscovery;
}
