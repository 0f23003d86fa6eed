import { z } from 'zod';
import { dns1123LabelError, dns1123SubdomainError } from './names.js';

// zod schemas for the structured (JSON) deployer properties. They check what the API server would
// reject anyway, so that a bad launch fails with a 400 naming the key instead of a Job that is never
// created. Pod-spec objects that Kubernetes validates in depth (affinity terms, security contexts)
// are checked at their top level only and passed through.

const dnsLabel = z.string().superRefine((value, ctx) => {
  const error = dns1123LabelError(value);
  if (error) ctx.addIssue({ code: 'custom', message: `'${value}' ${error}` });
});

export const dnsSubdomain = z.string().superRefine((value, ctx) => {
  const error = dns1123SubdomainError(value);
  if (error) ctx.addIssue({ code: 'custom', message: `'${value}' ${error}` });
});

/** Env var names: Kubernetes accepts any C identifier-like text of these characters. */
export const ENV_NAME_RE = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const envName = z.string().regex(ENV_NAME_RE, "must consist of letters, digits, '_', '-' or '.'");

/** The flow form yields `true` or `5` for bare words; Kubernetes wants strings in these places. */
const scalarText = z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value));

export const tolerationSchema = z
  .strictObject({
    key: z.string().optional(),
    operator: z.enum(['Exists', 'Equal']).optional(),
    value: scalarText.optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .superRefine((toleration, ctx) => {
    if (toleration.operator === 'Exists' && toleration.value !== undefined && toleration.value !== '') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: "must be empty when operator is 'Exists'" });
    }
    if (!toleration.key && toleration.operator !== 'Exists') {
      ctx.addIssue({ code: 'custom', path: ['operator'], message: "must be 'Exists' when key is empty" });
    }
    if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
      ctx.addIssue({
        code: 'custom',
        path: ['tolerationSeconds'],
        message: "is only allowed with effect 'NoExecute'",
      });
    }
  });

const jsonObject = z.record(z.string(), z.unknown());

export const affinitySchema = z.strictObject({
  nodeAffinity: jsonObject.optional(),
  podAffinity: jsonObject.optional(),
  podAntiAffinity: jsonObject.optional(),
});

export const secretKeyRefSchema = z.strictObject({
  envVarName: envName,
  secretName: dnsSubdomain,
  dataKey: z.string().min(1),
});

export const configMapKeyRefSchema = z.strictObject({
  envVarName: envName,
  configMapName: dnsSubdomain,
  dataKey: z.string().min(1),
});

export const volumeSchema = z.looseObject({ name: dnsLabel }).superRefine((volume, ctx) => {
  if (Object.keys(volume).length < 2) {
    ctx.addIssue({
      code: 'custom',
      message: `volume '${volume.name}' needs a source (e.g. secret, configMap, emptyDir, persistentVolumeClaim)`,
    });
  }
});

export const volumeMountSchema = z.strictObject({
  name: dnsLabel,
  mountPath: z.string().startsWith('/', 'must be an absolute path'),
  readOnly: z.boolean().optional(),
  subPath: z.string().optional(),
  subPathExpr: z.string().optional(),
  mountPropagation: z.enum(['None', 'HostToContainer', 'Bidirectional']).optional(),
});

const id = z.number().int().nonnegative();

const seccompProfileSchema = z
  .strictObject({
    type: z.enum(['RuntimeDefault', 'Localhost', 'Unconfined']),
    localhostProfile: z.string().min(1).optional(),
  })
  .refine((p) => (p.type === 'Localhost') === (p.localhostProfile !== undefined), {
    message: 'localhostProfile is required with type Localhost and only then',
    path: ['localhostProfile'],
  });

export const podSecurityContextSchema = z.looseObject({
  runAsUser: id.optional(),
  runAsGroup: id.optional(),
  runAsNonRoot: z.boolean().optional(),
  fsGroup: id.optional(),
  supplementalGroups: z.array(id).optional(),
  seccompProfile: seccompProfileSchema.optional(),
});

export const containerSecurityContextSchema = z.looseObject({
  runAsUser: id.optional(),
  runAsGroup: id.optional(),
  runAsNonRoot: z.boolean().optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  allowPrivilegeEscalation: z.boolean().optional(),
  privileged: z.boolean().optional(),
  seccompProfile: seccompProfileSchema.optional(),
  capabilities: z
    .strictObject({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() })
    .optional(),
});

export const imagePullPolicySchema = z.enum(['Always', 'IfNotPresent', 'Never']);

/** zod issues → `{path, message}` with the property key in front of the JSON path. */
export function zodIssues(key: string, error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => {
    const suffix = issue.path
      .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
      .join('');
    return { path: `${key}${suffix}`, message: issue.message };
  });
}
