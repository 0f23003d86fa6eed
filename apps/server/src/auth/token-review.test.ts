import { describe, expect, it } from 'vitest';
import { KubernetesAuthConfig } from './config.js';
import type { ReviewToken } from './token-review.js';
import { serviceAccountRoles, TokenReviewAuthenticator } from './token-review.js';

const config = KubernetesAuthConfig.parse({
  cacheSeconds: 60,
  serviceAccounts: {
    'system:serviceaccount:batch:runner': ['VIEW', 'DEPLOY'],
    'ops:*': ['VIEW'],
  },
});

describe('serviceAccountRoles', () => {
  it('maps the exact account, then its namespace wildcard', () => {
    expect([...serviceAccountRoles('system:serviceaccount:batch:runner', config.serviceAccounts)]).toEqual([
      'VIEW',
      'DEPLOY',
    ]);
    expect([...serviceAccountRoles('system:serviceaccount:ops:any', config.serviceAccounts)]).toEqual([
      'VIEW',
    ]);
    expect([...serviceAccountRoles('system:serviceaccount:other:x', config.serviceAccounts)]).toEqual([]);
    expect([...serviceAccountRoles('alice', config.serviceAccounts)]).toEqual([]);
  });
});

describe('TokenReviewAuthenticator', () => {
  function counting(result: Awaited<ReturnType<ReviewToken>>) {
    const calls: string[] = [];
    const review: ReviewToken = async (token, audience) => {
      calls.push(`${token}@${audience}`);
      return result;
    };
    return { calls, review };
  }

  it('accepts a reviewed token with the mapped roles and caches the answer', async () => {
    let now = 1_000;
    const { calls, review } = counting({
      username: 'system:serviceaccount:batch:runner',
      audiences: ['batchyard'],
    });
    const auth = new TokenReviewAuthenticator(config, review, () => now);
    const p = await auth.authenticate('t1');
    expect(p).toMatchObject({ kind: 'kubernetes', name: 'k8s:system:serviceaccount:batch:runner' });
    expect([...p.roles]).toEqual(['VIEW', 'DEPLOY']);
    await auth.authenticate('t1');
    expect(calls).toEqual(['t1@batchyard']);
    now += 61_000;
    await auth.authenticate('t1');
    expect(calls).toHaveLength(2);
  });

  it('refuses a token the API server did not authenticate, or for another audience', async () => {
    await expect(
      new TokenReviewAuthenticator(config, counting({}).review).authenticate('x'),
    ).rejects.toMatchObject({
      status: 401,
    });
    const other = counting({ username: 'system:serviceaccount:batch:runner', audiences: ['vault'] });
    await expect(new TokenReviewAuthenticator(config, other.review).authenticate('x')).rejects.toThrow(
      /audience batchyard/,
    );
  });

  it('does not cache a failure to reach the cluster', async () => {
    let up = false;
    const review: ReviewToken = async () => {
      if (!up) throw new Error('connect ECONNREFUSED');
      return { username: 'system:serviceaccount:ops:a' };
    };
    const auth = new TokenReviewAuthenticator(config, review);
    await expect(auth.authenticate('t')).rejects.toThrow(/could not review/);
    up = true;
    await expect(auth.authenticate('t')).resolves.toMatchObject({ name: 'k8s:system:serviceaccount:ops:a' });
  });
});
