import * as http from 'node:http';
import * as https from 'node:https';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PooledKubeConfig } from './kubeconfig.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** Two contexts on one server that differ only in the CA they trust, and a plain-HTTP one. */
function pooledConfig(): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'a', server: 'https://127.0.0.1:6443', caData: b64('ca-one'), skipTLSVerify: false },
      { name: 'b', server: 'https://127.0.0.1:6443', caData: b64('ca-two'), skipTLSVerify: false },
      { name: 'plain', server: 'http://127.0.0.1:8080', skipTLSVerify: true },
    ],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [
      { name: 'a', cluster: 'a', user: 'u' },
      { name: 'b', cluster: 'b', user: 'u' },
      { name: 'plain', cluster: 'plain', user: 'u' },
    ],
    currentContext: 'a',
  });
  return kc;
}

async function prepared(kc: PooledKubeConfig): Promise<RequestContext> {
  const server = kc.getCurrentCluster()!.server;
  const context = new RequestContext(`${server}/api/v1/namespaces`, HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  return context;
}

describe('PooledKubeConfig', () => {
  it('gives every request to the same server identity one shared keep-alive agent', async () => {
    const kc = pooledConfig();
    const [first, second] = [await prepared(kc), await prepared(kc)];
    expect(first.getAgent()).toBeInstanceOf(https.Agent);
    expect(second.getAgent()).toBe(first.getAgent());
    expect((first.getAgent() as https.Agent & { keepAlive: boolean }).keepAlive).toBe(true);
    expect(kc.agentCount).toBe(1);
  });

  it('still applies the credentials to each request', async () => {
    const context = await prepared(pooledConfig());
    expect(context.getHeaders().Authorization).toBe('Bearer secret-token');
  });

  it('keeps a separate agent for another CA, and for plain HTTP', async () => {
    const kc = pooledConfig();
    const one = (await prepared(kc)).getAgent();
    kc.setCurrentContext('b');
    const two = (await prepared(kc)).getAgent();
    kc.setCurrentContext('plain');
    const plain = (await prepared(kc)).getAgent();
    expect(two).not.toBe(one);
    expect(plain).toBeInstanceOf(http.Agent);
    expect(plain).not.toBeInstanceOf(https.Agent);
    expect(kc.agentCount).toBe(3);
    kc.closeConnections();
    expect(kc.agentCount).toBe(0);
    expect(kc.openConnections).toBe(0);
  });
});
