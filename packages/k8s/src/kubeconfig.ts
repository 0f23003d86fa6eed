import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/** The agent options that decide which server and identity a connection is for. */
const IDENTITY_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/**
 * A KubeConfig whose API calls reuse connections. client-node 1.x builds a new agent for every
 * request, so every call paid a TCP connect and a TLS handshake (on both ends: the API server too).
 * Here each request still gets its credentials from the kubeconfig (tokens re-read, exec plugins
 * run), but the agent is swapped for a keep-alive one shared by every request with the same
 * server identity; a changed client certificate or CA gets a new agent. Watches and log streams
 * (applyToFetchOptions) keep their own connection, as before. Proxy agents are left alone.
 */
export class PooledKubeConfig extends KubeConfig {
  private readonly agents = new Map<string, http.Agent>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const agent = context.getAgent();
    if (agent) context.setAgent(this.pooled(agent));
  }

  /** How many shared agents exist (one per server identity). */
  get agentCount(): number {
    return this.agents.size;
  }

  /** Connections the shared agents hold, busy or idle (tests check reuse). */
  get openConnections(): number {
    let n = 0;
    for (const agent of this.agents.values()) {
      for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)]) {
        n += list?.length ?? 0;
      }
    }
    return n;
  }

  /** Destroys the shared agents' idle sockets (at shutdown). */
  closeConnections(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private pooled(agent: http.Agent | https.Agent): http.Agent | https.Agent {
    const secure = agent.constructor === https.Agent;
    if (!secure && agent.constructor !== http.Agent) return agent; // a proxy agent
    const options = (agent as http.Agent & { options: Record<string, unknown> }).options;
    const hash = createHash('sha256').update(secure ? 'https' : 'http');
    for (const key of IDENTITY_KEYS) hash.update(`\0${key}=`).update(identityPart(options[key]));
    const id = hash.digest('hex');
    let shared = this.agents.get(id);
    if (!shared) {
      const settings = {
        ...options,
        keepAlive: true,
        scheduling: 'lifo' as const,
        // Idle sockets go after 30 s, before common load balancers drop idle connections (which
        // would fail the next call written to the dead one).
        timeout: 30_000,
      };
      shared = secure ? new https.Agent(settings) : new http.Agent(settings);
      this.agents.set(id, shared);
    }
    return shared;
  }
}

function identityPart(value: unknown): string | Buffer {
  if (value === undefined || value === null) return '';
  if (Buffer.isBuffer(value)) return value;
  if (Array.isArray(value))
    return value.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : String(v))).join(',');
  return String(value);
}
