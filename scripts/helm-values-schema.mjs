#!/usr/bin/env node
// Writes charts/batchyard/values.schema.json: the chart's own values, with `config` (the server's
// configuration file) described by the server's zod ConfigSchema itself (z.toJSONSchema), so a
// value the server would reject fails at `helm install`, not in a crash-looping pod.
//
//   npm run build && node scripts/helm-values-schema.mjs          write the file
//   node scripts/helm-values-schema.mjs --check                    exit 1 when it is out of date
//
// test/unit/helm-chart.test.ts calls buildValuesSchema() with the TypeScript source's schema and
// compares with the committed file.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const SCHEMA_FILE = fileURLToPath(new URL('../charts/batchyard/values.schema.json', import.meta.url));

const str = { type: 'string' };
const bool = { type: 'boolean' };
const int = (minimum = 0) => ({ type: 'integer', minimum });
const obj = (properties, extra = {}) => ({ type: 'object', properties, ...extra });
const free = { type: 'object' };
const list = { type: 'array' };

/** The server's configuration schema as the chart's `config` value accepts it. */
function configSchema(ConfigSchema) {
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  delete schema.$schema;
  // The chart owns these: the database URL comes from a Secret, host/port from containerPort.
  delete schema.properties.database;
  // The server's default (one local account) is not the chart's (one kubernetes account).
  delete schema.properties.platforms.default;
  schema.description =
    "Server configuration file (BATCHYARD_CONFIG); generated from apps/server's ConfigSchema.";
  return schema;
}

export function buildValuesSchema(ConfigSchema) {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Batchyard Helm chart values',
    type: 'object',
    additionalProperties: false,
    properties: {
      image: obj({ repository: str, tag: str, pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] } }),
      imagePullSecrets: list,
      replicaCount: {
        type: 'integer',
        minimum: 0,
        description:
          'Every replica serves the API; one leader runs the loops (README "Running several replicas").',
      },
      podDisruptionBudget: obj({ minAvailable: { type: ['integer', 'string'] } }),
      nameOverride: str,
      fullnameOverride: str,
      serviceAccount: obj({ create: bool, name: str, annotations: free }),
      rbac: obj({ create: bool, clusterWide: bool }),
      tmpDir: {
        type: 'string',
        pattern: '^/',
        description: 'Where the writable emptyDir is mounted (the root filesystem is read-only).',
      },
      config: configSchema(ConfigSchema),
      database: obj({
        url: { type: 'string', pattern: '^$|^postgres(ql)?://' },
        existingSecret: str,
        secretKey: { type: 'string', minLength: 1 },
        secretName: { type: 'string', minLength: 1 },
        poolSize: { type: 'integer', minimum: 1, maximum: 200 },
        migrateOnStart: bool,
      }),
      postgresql: obj({
        enabled: bool,
        image: obj({ repository: str, tag: str, pullPolicy: str }),
        auth: obj({ database: str, username: str, password: str }),
        persistence: obj({ enabled: bool, size: str, storageClass: str }),
        resources: free,
      }),
      service: obj({ type: str, port: int(1), annotations: free }),
      containerPort: { type: 'integer', minimum: 1, maximum: 65535 },
      resources: free,
      terminationGracePeriodSeconds: int(),
      podSecurityContext: free,
      securityContext: free,
      livenessProbe: free,
      readinessProbe: free,
      startupProbe: free,
      metrics: obj({
        annotations: bool,
        path: str,
        serviceMonitor: obj({ enabled: bool, interval: str, labels: free }),
      }),
      grafana: obj({ dashboard: obj({ enabled: bool, labels: free }) }),
      extraEnv: list,
      podAnnotations: free,
      podLabels: free,
      nodeSelector: free,
      tolerations: list,
      affinity: free,
    },
  };
}

export const render = (schema) => `${JSON.stringify(schema, null, 2)}\n`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { ConfigSchema } = await import('../apps/server/dist/config.js');
  const text = render(buildValuesSchema(ConfigSchema));
  if (process.argv.includes('--check')) {
    if (readFileSync(SCHEMA_FILE, 'utf8') !== text) {
      process.stderr.write(`${SCHEMA_FILE} is out of date: run node scripts/helm-values-schema.mjs\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_FILE, text);
  }
}
