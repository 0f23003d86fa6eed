import type { V1Affinity, V1Container, V1Lifecycle } from '@kubernetes/client-node';
import { z } from 'zod';
import { checkEnvironment } from './deployer-checks.js';
import {
  containerSchema,
  fieldRefPathError,
  lifecycleSchema,
  scdfInitContainerSchema,
} from './deployer-container-schemas.js';
import { type Apply, bool, json, type KeySpec, text } from './deployer-key-parsers.js';
import { volumeMountSchema, zodIssues } from './deployer-schemas.js';
import type { InitContainerParts, PropertyIssue } from './deployer-types.js';
import { dns1123LabelError } from './names.js';
import { parseEnvironmentList, parseJsonLike, parseList } from './property-text.js';

// Deployer keys that shape the pod beyond the task container's resources: SCDF's affinity parts,
// init containers (its single `initContainer`, as an object or as parts, and `initContainers`),
// sidecars (`additionalContainers`), lifecycle hooks, host network, a shared process namespace,
// container ports, downward-API env vars and the pod's restart policy.

const jsonObject = z.record(z.string(), z.unknown());

/** A part of `affinity`; a part given on its own wins over the same part inside `affinity`. */
function affinityPart(part: keyof V1Affinity): KeySpec {
  return {
    description: `JSON ${part} (SCDF's spelling; merged into affinity)`,
    example: '{"requiredDuringSchedulingIgnoredDuringExecution":{…}}',
    apply: json(jsonObject, (p, v) => {
      p.affinity = { ...p.affinity, [part]: v };
    }),
  };
}

function initPart<K extends keyof InitContainerParts>(
  part: K,
  parse: (text: string, key: string) => { value?: InitContainerParts[K]; issues: PropertyIssue[] },
): Apply {
  return (props, value, key) => {
    const { value: parsed, issues } = parse(value, key);
    if (issues.length === 0) props.initContainerParts = { ...props.initContainerParts, [part]: parsed };
    return issues;
  };
}

function commaList(value: string): string[] {
  return parseList(value);
}

function hook(which: 'postStart' | 'preStop'): KeySpec {
  return {
    description: `comma list: the command of the task container's ${which} exec hook (SCDF's form)`,
    example: which === 'preStop' ? '/bin/sh,-c,sleep 5' : '/bin/sh,-c,echo started',
    apply: (p, value, key) => {
      const command = commaList(value);
      if (command.length === 0) return [{ path: key, message: 'must name a command' }];
      p.lifecycle = { ...p.lifecycle, [which]: { exec: { command } } };
      return [];
    },
  };
}

function envStrings(list: string[], key: string): { env: Record<string, string>; issues: PropertyIssue[] } {
  const env: Record<string, string> = {};
  const issues: PropertyIssue[] = [];
  list.forEach((entry, index) => {
    const at = entry.indexOf('=');
    if (at <= 0)
      issues.push({ path: `${key}[${index}]`, message: `'${entry}' must have the form NAME=value` });
    else env[entry.slice(0, at)] = entry.slice(at + 1);
  });
  issues.push(...checkEnvironment(key, Object.keys(env)));
  return { env, issues };
}

const sidecarSchema = containerSchema.refine((c) => c.restartPolicy === undefined, {
  message: 'a sidecar takes no restartPolicy: Batchyard makes it a native sidecar where the cluster has them',
  path: ['restartPolicy'],
});

export const POD_DEPLOYER_PROPERTY_KEYS: Readonly<Record<string, KeySpec>> = {
  'affinity.nodeAffinity': affinityPart('nodeAffinity'),
  'affinity.podAffinity': affinityPart('podAffinity'),
  'affinity.podAntiAffinity': affinityPart('podAntiAffinity'),
  initContainer: {
    description:
      "SCDF's one init container: {containerName, imageName, commands, environmentVariables, volumeMounts}",
    example: "{containerName: 'wait', imageName: 'busybox:1.36', commands: ['sh', '-c', 'sleep 1']}",
    apply: (p, value, key) => {
      const parsed = scdfInitContainerSchema.safeParse(parseJsonLike(value));
      if (!parsed.success) return zodIssues(key, parsed.error);
      const { environmentVariables, ...rest } = parsed.data;
      const env = envStrings(environmentVariables ?? [], `${key}.environmentVariables`);
      if (env.issues.length > 0) return env.issues;
      // Parts given as their own keys win over the same part here.
      p.initContainerParts = { ...rest, environmentVariables: env.env, ...p.initContainerParts };
      return [];
    },
  },
  'initContainer.containerName': {
    description: "SCDF's init container, by parts: its name",
    example: 'wait-for-db',
    apply: initPart('containerName', (value, key) => {
      const error = dns1123LabelError(value.trim());
      return error
        ? { issues: [{ path: key, message: `'${value}' ${error}` }] }
        : { value: value.trim(), issues: [] };
    }),
  },
  'initContainer.imageName': {
    description: "SCDF's init container, by parts: its image",
    example: 'busybox:1.36',
    apply: initPart('imageName', (value, key) =>
      value.trim().length === 0
        ? { issues: [{ path: key, message: 'must not be empty' }] }
        : { value: value.trim(), issues: [] },
    ),
  },
  'initContainer.commands': {
    description: "SCDF's init container, by parts: comma list, the command and its arguments",
    example: 'sh,-c,until nc -z db 5432; do sleep 1; done',
    apply: initPart('commands', (value) => ({ value: commaList(value), issues: [] })),
  },
  'initContainer.environmentVariables': {
    description: "SCDF's init container, by parts: NAME=value list",
    example: 'TARGET=db',
    apply: initPart('environmentVariables', (value, key) => {
      const env = parseEnvironmentList(value);
      const issues = checkEnvironment(key, Object.keys(env));
      return { value: env, issues };
    }),
  },
  'initContainer.volumeMounts': {
    description: "SCDF's init container, by parts: JSON list of mounts",
    example: '[{"name":"data","mountPath":"/data"}]',
    apply: (p, value, key) => {
      const parsed = z.array(volumeMountSchema).safeParse(parseJsonLike(value));
      if (!parsed.success) return zodIssues(key, parsed.error);
      p.initContainerParts = { ...p.initContainerParts, volumeMounts: parsed.data };
      return [];
    },
  },
  initContainers: {
    description: 'JSON list of Kubernetes init containers, run in order before the task',
    example: '[{"name":"fetch","image":"busybox:1.36","command":["sh","-c","echo ok"]}]',
    apply: json(z.array(containerSchema), (p, v) => {
      p.initContainers = v as V1Container[];
    }),
  },
  additionalContainers: {
    description:
      'JSON list of sidecar containers; they never keep a finished task running (native sidecars on 1.29+, else stopped when the task container ends)',
    example: '[{"name":"proxy","image":"gcr.io/cloud-sql-connectors/cloud-sql-proxy:2"}]',
    apply: json(z.array(sidecarSchema), (p, v) => {
      p.additionalContainers = v as V1Container[];
    }),
  },
  lifecycle: {
    description: 'JSON lifecycle hooks of the task container (postStart, preStop)',
    example: '{"preStop":{"exec":{"command":["/bin/sh","-c","sleep 5"]}}}',
    apply: json(lifecycleSchema, (p, v) => {
      // Hooks given as `lifecycle.<hook>.exec.command` win over the same hook here.
      p.lifecycle = { ...(v as V1Lifecycle), ...p.lifecycle };
    }),
  },
  'lifecycle.postStart.exec.command': hook('postStart'),
  'lifecycle.preStop.exec.command': hook('preStop'),
  hostNetwork: {
    description: "true: the pod uses the node's network namespace",
    example: 'true',
    apply: bool((p, v) => {
      p.hostNetwork = v;
    }),
  },
  shareProcessNamespace: {
    description: 'true: the containers of the pod see each other’s processes',
    example: 'true',
    apply: bool((p, v) => {
      p.shareProcessNamespace = v;
    }),
  },
  containerPorts: {
    description: 'comma list of ports the task container listens on',
    example: '8080,9090',
    apply: (p, value, key) => {
      const items = parseList(value);
      const issues = items.flatMap((item) =>
        /^[0-9]+$/.test(item) && Number(item) >= 1 && Number(item) <= 65_535
          ? []
          : [{ path: key, message: `'${item}' must be a port number 1-65535` }],
      );
      if (new Set(items).size !== items.length) issues.push({ path: key, message: 'a port is given twice' });
      if (issues.length === 0) p.containerPorts = items.map(Number);
      return issues;
    },
  },
  environmentVariablesFromFieldRefs: {
    description: 'NAME=fieldPath list: env vars from the downward API',
    example: 'POD_NAME=metadata.name,NODE_NAME=spec.nodeName',
    apply: (p, value, key) => {
      const refs = parseEnvironmentList(value);
      const issues = checkEnvironment(key, Object.keys(refs));
      for (const [name, path] of Object.entries(refs)) {
        const error = fieldRefPathError(path);
        if (error) issues.push({ path: `${key}.${name}`, message: error });
      }
      if (issues.length === 0) p.environmentVariablesFromFieldRefs = refs;
      return issues;
    },
  },
  restartPolicy: {
    description: 'Never (default) or OnFailure (the kubelet restarts a failed task container in place)',
    example: 'OnFailure',
    apply: text(
      z.enum(['Never', 'OnFailure'], {
        error: () => "must be Never or OnFailure (a Job's pod cannot have restartPolicy Always)",
      }),
      (p, v) => {
        p.restartPolicy = v;
      },
    ),
  },
};
