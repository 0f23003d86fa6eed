import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/**
 * A real token issuer for tests, on 127.0.0.1: discovery document, JWKS (keys can be rotated),
 * and the authorization-code endpoints with PKCE checks. Tokens are signed with real keys; the
 * server under test verifies them exactly as it would a production provider's.
 */

interface Key {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  jwk: JWK;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string;
  subject: string;
  claims: JWTPayload;
  scope: string;
}

export class TestIssuer {
  private keys: Key[] = [];
  private readonly codes = new Map<string, PendingCode>();
  /** Who the next authorization request logs in as. */
  loginAs: { subject: string; claims: JWTPayload } = { subject: 'alice', claims: {} };
  tokenRequests = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly clients: Record<string, string>,
  ) {}

  static async start(clients: Record<string, string> = {}): Promise<TestIssuer> {
    let issuer: TestIssuer | undefined;
    const server = createServer((req, res) => {
      issuer!.handle(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, headers);
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    issuer = new TestIssuer(server, `http://127.0.0.1:${port}`, clients);
    await issuer.addKey();
    return issuer;
  }

  async addKey(kid = `k${this.keys.length + 1}-${randomBytes(3).toString('hex')}`): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    this.keys.push({ kid, privateKey, jwk });
    return kid;
  }

  /** Drops every key but the newest (a rotation that retires the old key). */
  retireOldKeys(): void {
    this.keys = this.keys.slice(-1);
  }

  get currentKid(): string {
    return this.keys.at(-1)!.kid;
  }

  async sign(
    claims: JWTPayload,
    opts: { kid?: string; audience?: string; issuer?: string; expiresIn?: string | number } = {},
  ): Promise<string> {
    const key = opts.kid ? this.keys.find((k) => k.kid === opts.kid) : this.keys.at(-1);
    if (!key) throw new Error(`no key ${opts.kid}`);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? key.kid })
      .setIssuer(opts.issuer ?? this.url)
      .setAudience(opts.audience ?? 'batchyard')
      .setSubject(typeof claims.sub === 'string' ? claims.sub : 'alice')
      .setIssuedAt()
      .setExpirationTime(opts.expiresIn ?? '5m')
      .sign(key.privateKey);
  }

  /** A token signed with a key the issuer never published. */
  async signWithUnknownKey(claims: JWTPayload): Promise<string> {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'not-published' })
      .setIssuer(this.url)
      .setAudience('batchyard')
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(privateKey);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage) {
    const url = new URL(req.url ?? '/', this.url);
    const json = (status: number, value: unknown) => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(value),
    });
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: this.url,
        jwks_uri: `${this.url}/jwks`,
        authorization_endpoint: `${this.url}/authorize`,
        token_endpoint: `${this.url}/token`,
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: this.keys.map((k) => k.jwk) });
    if (url.pathname === '/authorize') return this.authorize(url);
    if (url.pathname === '/token' && req.method === 'POST') return this.token(req);
    return json(404, { error: 'not_found' });
  }

  private authorize(url: URL) {
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    if (
      !(clientId in this.clients) ||
      q.get('response_type') !== 'code' ||
      q.get('code_challenge_method') !== 'S256'
    ) {
      return { status: 400, headers: {}, body: 'bad authorization request' };
    }
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, {
      clientId,
      redirectUri: q.get('redirect_uri') ?? '',
      challenge: q.get('code_challenge') ?? '',
      nonce: q.get('nonce') ?? '',
      subject: this.loginAs.subject,
      claims: this.loginAs.claims,
      scope: q.get('scope') ?? '',
    });
    const back = new URL(q.get('redirect_uri') ?? '');
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state') ?? '');
    return { status: 302, headers: { location: back.toString() }, body: '' };
  }

  private async token(req: IncomingMessage) {
    this.tokenRequests++;
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const form = new URLSearchParams(raw);
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = basic
      ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
      : [];
    const pending = this.codes.get(form.get('code') ?? '');
    this.codes.delete(form.get('code') ?? '');
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const bad = (error: string) => ({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error }),
    });
    if (!pending) return bad('invalid_grant');
    if (id !== pending.clientId || this.clients[id] !== secret) return bad('invalid_client');
    if (challenge !== pending.challenge) return bad('invalid_grant: PKCE');
    if (form.get('redirect_uri') !== pending.redirectUri) return bad('invalid_grant: redirect_uri');
    const idToken = await this.sign(
      { ...pending.claims, sub: pending.subject, nonce: pending.nonce },
      { audience: pending.clientId },
    );
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id_token: idToken,
        access_token: 'opaque',
        token_type: 'Bearer',
        scope: pending.scope,
      }),
    };
  }
}
