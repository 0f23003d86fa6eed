import { type Config, ConfigError } from '../config.js';
import { loadKubeConfig } from '../platform/kubernetes.js';
import { kubernetesReview, type ReviewToken } from './token-review.js';

/** TokenReview against the cluster of `auth.kubernetes.account` (default: the first kubernetes account). */
export function kubernetesReviewFor(config: Readonly<Config>): ReviewToken | undefined {
  const wanted = config.auth.kubernetes;
  if (!wanted) return undefined;
  const account = config.platforms.find((p) =>
    wanted.account ? p.name === wanted.account : p.type === 'kubernetes',
  );
  if (account?.type !== 'kubernetes') {
    throw new ConfigError(
      wanted.account
        ? `auth.kubernetes.account: ${wanted.account} is not a kubernetes platform account`
        : 'auth.kubernetes needs a kubernetes platform account to review tokens with',
    );
  }
  return kubernetesReview(loadKubeConfig(account));
}
