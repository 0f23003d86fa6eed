import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { sanitizeArguments, sanitizeProperties, splitLaunchProperties } from './launch-properties.js';

describe('splitLaunchProperties', () => {
  it('splits app, deployer and version properties for one app; specific beats wildcard', () => {
    const p = splitLaunchProperties(
      {
        'app.etl.chunkSize': '500',
        'app.*.mode': 'full',
        'app.other.x': 'ignored',
        'deployer.etl.kubernetes.limits.memory': '1Gi',
        'deployer.*.limits.memory': '512Mi',
        'deployer.*.requests.cpu': '250m',
        'version.etl': '2.0',
        'version.other': '9',
      },
      'etl',
    );
    expect(p).toEqual({
      appArgs: { chunkSize: '500', mode: 'full' },
      deployer: { 'limits.memory': '1Gi', 'requests.cpu': '250m' },
      version: '2.0',
    });
  });

  it('names every malformed key', () => {
    try {
      splitLaunchProperties({ 'spring.foo': '1', 'app.etl': '2', 'deployer.*': '3' }, 'etl');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).details.map((d) => d.path)).toEqual([
        'body.properties.spring.foo',
        'body.properties.app.etl',
        'body.properties.deployer.*',
      ]);
    }
  });
});

describe('sanitising', () => {
  it('masks secret-looking keys and credentials in URLs', () => {
    expect(
      sanitizeProperties({
        'app.etl.db.password': 'x',
        'app.etl.url': 'postgresql://u:p@h/db',
        'app.etl.n': '1',
      }),
    ).toEqual({
      'app.etl.db.password': '******',
      'app.etl.url': 'postgresql://u:******@h/db',
      'app.etl.n': '1',
    });
    expect(sanitizeArguments(['--token=abc', '--rows=5', 'jdbc=postgres://a:b@c/d'])).toEqual([
      '--token=******',
      '--rows=5',
      'jdbc=postgres://a:******@c/d',
    ]);
  });

  it('shows deployer properties that name Kubernetes Secrets (they hold no secret), masks the rest', () => {
    const refs = '[{"envVarName":"API_TOKEN","secretName":"etl","dataKey":"token"}]';
    expect(
      sanitizeProperties({
        'deployer.etl.secretRefs': 'etl-credentials',
        'deployer.*.kubernetes.secretKeyRefs': refs,
        'deployer.etl.imagePullSecrets': 'regcred',
        'deployer.etl.secretRefsPassword': 'x',
        'app.etl.client-secret': 'x',
      }),
    ).toEqual({
      'deployer.etl.secretRefs': 'etl-credentials',
      'deployer.*.kubernetes.secretKeyRefs': refs,
      'deployer.etl.imagePullSecrets': 'regcred',
      'deployer.etl.secretRefsPassword': '******',
      'app.etl.client-secret': '******',
    });
  });
});
