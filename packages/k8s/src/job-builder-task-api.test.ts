import { describe, expect, it } from 'vitest';
import { parseDeployerProperties } from './deployer-properties.js';
import { emptyDeployerProperties } from './deployer-types.js';
import {
  buildJob,
  DEFAULT_TASK_TOKEN_SECONDS,
  ENV_API_URL,
  ENV_TASK_TOKEN_FILE,
  type JobBuildInput,
  TASK_TOKEN_DIR,
  TASK_TOKEN_VOLUME,
} from './job-builder.js';
import { sanitizeManifest } from './sanitize.js';

const base: JobBuildInput = {
  executionId: 42,
  taskName: 'partitioned-demo',
  appName: 'settlement',
  accountName: 'k8s',
  namespace: 'batch',
  image: 'batchyard/worker-sample:1.0',
  args: ['--job=partitioned'],
  databaseSecret: { name: 'batchyard-db', key: 'url' },
  properties: emptyDeployerProperties(),
};
const taskApi = { url: 'http://batchyard.batch.svc:9393', tokenAudience: 'batchyard' };

describe('buildJob with the task API (remote partitions)', () => {
  it('gives the pod the server URL, a projected token for its audience and the file it is in', () => {
    const pod = buildJob({ ...base, taskApi }).spec?.template.spec;
    const c = pod?.containers[0];
    expect(c?.env).toContainEqual({ name: ENV_API_URL, value: taskApi.url });
    expect(c?.env).toContainEqual({ name: ENV_TASK_TOKEN_FILE, value: `${TASK_TOKEN_DIR}/token` });
    expect(c?.volumeMounts).toEqual([{ name: TASK_TOKEN_VOLUME, mountPath: TASK_TOKEN_DIR, readOnly: true }]);
    expect(pod?.volumes).toEqual([
      {
        name: TASK_TOKEN_VOLUME,
        projected: {
          sources: [
            {
              serviceAccountToken: {
                audience: 'batchyard',
                expirationSeconds: DEFAULT_TASK_TOKEN_SECONDS,
                path: 'token',
              },
            },
          ],
        },
      },
    ]);
  });

  it('keeps the user’s volumes and mounts beside the token’s, and honours a chosen expiry', () => {
    const properties = parseDeployerProperties([
      {
        volumes: '[{"name":"data","emptyDir":{}}]',
        volumeMounts: '[{"name":"data","mountPath":"/data"}]',
      },
    ]);
    const pod = buildJob({ ...base, properties, taskApi: { ...taskApi, tokenExpirationSeconds: 3600 } }).spec
      ?.template.spec;
    expect(pod?.volumes?.map((v) => v.name)).toEqual(['data', TASK_TOKEN_VOLUME]);
    expect(pod?.volumes?.[1]?.projected?.sources?.[0]?.serviceAccountToken?.expirationSeconds).toBe(3600);
    expect(pod?.containers[0]?.volumeMounts?.map((m) => m.mountPath)).toEqual(['/data', TASK_TOKEN_DIR]);
  });

  it('without an audience (the server reviews no tokens) gives the URL only', () => {
    const pod = buildJob({ ...base, taskApi: { url: taskApi.url } }).spec?.template.spec;
    const names = pod?.containers[0]?.env?.map((e) => e.name);
    expect(names).toContain(ENV_API_URL);
    expect(names).not.toContain(ENV_TASK_TOKEN_FILE);
    expect(pod?.volumes).toBeUndefined();
  });

  it('without the task API the pod is as before: no URL, no token', () => {
    const pod = buildJob(base).spec?.template.spec;
    expect(pod?.containers[0]?.env?.map((e) => e.name)).not.toContain(ENV_API_URL);
    expect(pod?.volumes).toBeUndefined();
  });

  it('refuses a user volume that takes the token volume’s name', () => {
    const properties = parseDeployerProperties([
      { volumes: `[{"name":"${TASK_TOKEN_VOLUME}","emptyDir":{}}]` },
    ]);
    expect(() => buildJob({ ...base, properties, taskApi })).toThrow(
      /batchyard-task-token is Batchyard's own/,
    );
  });

  it('holds no secret: the stored (sanitised) manifest keeps the token volume, the URL and the token file path as they are', () => {
    const job = buildJob({ ...base, taskApi });
    const stored = sanitizeManifest(job);
    expect(stored.spec?.template.spec?.volumes).toEqual(job.spec?.template.spec?.volumes);
    const env = stored.spec?.template.spec?.containers[0]?.env;
    expect(env).toContainEqual({ name: ENV_API_URL, value: taskApi.url });
    // A path, not the token: not masked although the name contains TOKEN.
    expect(env).toContainEqual({ name: ENV_TASK_TOKEN_FILE, value: `${TASK_TOKEN_DIR}/token` });
  });

  it('still masks an inline value the user put under a …_FILE name', () => {
    const properties = parseDeployerProperties([{ environmentVariables: 'API_TOKEN_FILE=abc123' }]);
    const env = sanitizeManifest(buildJob({ ...base, properties, taskApi })).spec?.template.spec
      ?.containers[0]?.env;
    expect(env).toContainEqual({ name: 'API_TOKEN_FILE', value: '******' });
  });
});
