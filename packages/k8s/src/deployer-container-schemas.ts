import { z } from 'zod';
import { ENV_NAME_RE, volumeMountSchema } from './deployer-schemas.js';
import { dns1123LabelError } from './names.js';

// zod schemas for the container-shaped deployer properties (init containers, sidecars, lifecycle
// hooks). As for the other structured keys, they check what the API server would refuse anyway, so a
// mistake is a 400 naming the key; deeper fields (probes, resources) are passed through for the API
// server to check.

const containerName = z.string().superRefine((value, ctx) => {
  const error = dns1123LabelError(value);
  if (error) ctx.addIssue({ code: 'custom', message: `'${value}' ${error}` });
});

const stringList = z.array(z.string());

const envVarSchema = z
  .looseObject({
    name: z.string().regex(ENV_NAME_RE, "must consist of letters, digits, '_', '-' or '.'"),
    value: z.string().optional(),
    valueFrom: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((env) => !(env.value !== undefined && env.valueFrom !== undefined), {
    message: 'give value or valueFrom, not both',
  });

export const portNumber = z.number().int().min(1).max(65_535);

const containerPortSchema = z.looseObject({
  containerPort: portNumber,
  name: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
});

const handlerSchema = z
  .strictObject({
    exec: z.strictObject({ command: stringList.min(1) }).optional(),
    httpGet: z.looseObject({ port: z.union([portNumber, z.string().min(1)]) }).optional(),
    tcpSocket: z.looseObject({ port: z.union([portNumber, z.string().min(1)]) }).optional(),
    sleep: z.strictObject({ seconds: z.number().int().min(0) }).optional(),
  })
  .refine((h) => [h.exec, h.httpGet, h.tcpSocket, h.sleep].filter(Boolean).length === 1, {
    message: 'give exactly one of exec, httpGet, tcpSocket, sleep',
  });

export const lifecycleSchema = z.strictObject({
  postStart: handlerSchema.optional(),
  preStop: handlerSchema.optional(),
});

/** A Kubernetes container as SCDF's `initContainers` and `additionalContainers` take it. */
export const containerSchema = z.looseObject({
  name: containerName,
  image: z.string().trim().min(1, 'must not be empty'),
  command: stringList.optional(),
  args: stringList.optional(),
  env: z.array(envVarSchema).optional(),
  ports: z.array(containerPortSchema).optional(),
  volumeMounts: z.array(volumeMountSchema).optional(),
  lifecycle: lifecycleSchema.optional(),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  /** Only `Always`, and only on an init container: a native sidecar (Kubernetes 1.29+). */
  restartPolicy: z.literal('Always').optional(),
});

/** SCDF's `initContainer` object: containerName, imageName, commands, environmentVariables, volumeMounts. */
export const scdfInitContainerSchema = z.strictObject({
  containerName: containerName.optional(),
  imageName: z.string().trim().min(1, 'must not be empty').optional(),
  commands: stringList.optional(),
  environmentVariables: z.array(z.string()).optional(),
  volumeMounts: z.array(volumeMountSchema).optional(),
});

/** Field paths the downward API serves as env vars (pod fields; resource fields need resourceFieldRef). */
export const FIELD_REF_PATHS: readonly string[] = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

/** `metadata.labels['k']` and `metadata.annotations['k']` besides the fixed paths. */
export function fieldRefPathError(path: string): string | undefined {
  if (FIELD_REF_PATHS.includes(path)) return undefined;
  if (/^metadata\.(labels|annotations)\['[^']+'\]$/.test(path)) return undefined;
  return `'${path}' is not a downward API field; use one of ${FIELD_REF_PATHS.join(', ')}, metadata.labels['<key>'] or metadata.annotations['<key>']`;
}
