import { z } from 'zod';
import { ROLES } from './roles.js';

/**
 * The `auth` section of the configuration. Authentication is on as soon as one method is
 * configured (OIDC, API tokens, Kubernetes service accounts); with none, the server only starts on
 * loopback unless `auth.disabled` says so explicitly.
 */

const Bool = z.preprocess(
  (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
  z.boolean(),
);

const RoleName = z.enum(ROLES);
/** A comma-separated list in the environment, an array in YAML. */
const List = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(z.string().min(1)),
);

/** claim value (a scope or a group) → the roles it grants, as SCDF's provider-role-mappings. */
const RoleMappings = z.record(z.string().min(1), z.array(RoleName));

export const OidcConfig = z
  .object({
    issuer: z.url().describe('Issuer URL; its discovery document gives the JWKS and endpoints.'),
    audience: List.pipe(z.array(z.string()).min(1)).describe('Accepted `aud` values (the API).'),
    jwksUri: z.url().optional().describe('JWKS URL; omitted = from the discovery document.'),
    algorithms: List.default(['RS256', 'PS256', 'ES256', 'EdDSA']).pipe(
      z.array(
        z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']),
      ),
    ),
    clockSkewSeconds: z.coerce.number().int().min(0).max(300).default(30),
    rolesClaim: z
      .string()
      .min(1)
      .default('scope')
      .describe('Claim holding scopes or groups (scope, scp, groups, roles).'),
    /** Claim value → roles; a value `ROLE` (e.g. `dataflow.view`-style names) maps only when listed. */
    roleMappings: RoleMappings.default({}),
    /** Dashboard login (authorization code + PKCE). */
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    scopes: List.default(['openid', 'profile']),
  })
  .strict();
export type OidcConfig = z.infer<typeof OidcConfig>;

export const KubernetesAuthConfig = z
  .object({
    /** Platform account whose cluster reviews the tokens; omitted = the first kubernetes account. */
    account: z.string().optional(),
    audience: z.string().min(1).default('batchyard'),
    cacheSeconds: z.coerce.number().int().min(0).max(3600).default(60),
    /** `system:serviceaccount:<namespace>:<name>` (or `<namespace>:*`) → roles. */
    serviceAccounts: RoleMappings.default({}),
  })
  .strict();
export type KubernetesAuthConfig = z.infer<typeof KubernetesAuthConfig>;

export const AuthConfig = z
  .object({
    /** The only way to run without authentication off loopback; warned about at every start. */
    disabled: Bool.default(false),
    oidc: OidcConfig.optional(),
    tokens: z.object({ enabled: Bool.default(false) }).prefault({}),
    kubernetes: KubernetesAuthConfig.optional(),
    session: z
      .object({
        ttlSeconds: z.coerce.number().int().min(60).max(604_800).default(28_800),
        /** The cookie is `Secure` unless the dashboard is reached over plain HTTP on loopback. */
        secureCookie: Bool.default(true),
      })
      .prefault({}),
    /** Host names (besides loopback names and IP literals) this server answers to. */
    allowedHosts: List.default([]),
    /** Origins allowed to call the API from a browser (CORS); none by default. */
    corsOrigins: List.default([]),
    /** Whether `/metrics` and `/about` need a credential (VIEW) when authentication is on. */
    metricsPublic: Bool.default(true),
    aboutPublic: Bool.default(true),
  })
  .strict()
  .prefault({});
export type AuthConfig = z.infer<typeof AuthConfig>;

/** True when some authentication method is configured. */
export function authenticationConfigured(auth: AuthConfig): boolean {
  return auth.oidc !== undefined || auth.tokens.enabled || auth.kubernetes !== undefined;
}

/** Environment variables of the auth section. */
export const AUTH_ENV_KEYS: Record<string, string> = {
  BATCHYARD_AUTH_DISABLED: 'auth.disabled',
  BATCHYARD_AUTH_TOKENS_ENABLED: 'auth.tokens.enabled',
  BATCHYARD_AUTH_ALLOWED_HOSTS: 'auth.allowedHosts',
  BATCHYARD_AUTH_CORS_ORIGINS: 'auth.corsOrigins',
  BATCHYARD_OIDC_ISSUER: 'auth.oidc.issuer',
  BATCHYARD_OIDC_AUDIENCE: 'auth.oidc.audience',
  BATCHYARD_OIDC_CLIENT_ID: 'auth.oidc.clientId',
  BATCHYARD_OIDC_CLIENT_SECRET: 'auth.oidc.clientSecret',
};
