import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths.js';

/**
 * The node agent has no container runtime: an image name maps to a local command, the way an
 * OCI image has an ENTRYPOINT and a CMD. Kubelet rules apply on top: a pod's `command` replaces
 * the entrypoint, its `args` replace the cmd.
 */
export interface ImageMapping {
  /** The image's ENTRYPOINT (argv); may be empty when the image only has a CMD. */
  entrypoint: string[];
  /** The image's CMD: default arguments when the pod gives no `args`. */
  cmd?: string[];
  /** Extra environment, as an image's ENV. */
  env?: Record<string, string>;
}

/**
 * Keys are `name:tag` (exact), `name:*` (any tag or digest) or `name` (also any tag).
 * A registry prefix `docker.io/` or `docker.io/library/` is ignored when matching.
 */
export type ImageTable = Record<string, ImageMapping>;

export const SAMPLE_TASK_MAIN: string = join(repoRoot, 'apps', 'sample-task', 'dist', 'main.js');

export function defaultImageTable(): ImageTable {
  const shell: ImageMapping = { entrypoint: ['/bin/sh'] };
  return {
    // The sample batch task; the file may not be built yet, the mapping resolves regardless.
    'batchyard/worker-sample:*': { entrypoint: [process.execPath, SAMPLE_TASK_MAIN] },
    // Generic test images: pod command/args carry the script.
    'batchyard/test-shell:*': shell,
    'batchyard/test-node:*': { entrypoint: [process.execPath] },
    // Common public images, so manifests written for real clusters run unchanged.
    'busybox:*': { entrypoint: [], cmd: ['/bin/sh'] },
    'alpine:*': { entrypoint: [], cmd: ['/bin/sh'] },
    'node:*': { entrypoint: [], cmd: [process.execPath] },
  };
}

/**
 * Extra mappings from BATCHYARD_IMAGE_MAP: inline JSON (starts with `{`) or a path to a JSON
 * file, in the ImageTable shape. They override the defaults.
 */
export function imageTableFromEnv(env: NodeJS.ProcessEnv = process.env): ImageTable {
  const raw = env.BATCHYARD_IMAGE_MAP;
  if (!raw) return {};
  const text = raw.trimStart().startsWith('{') ? raw : readFileSync(raw, 'utf8');
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null)
    throw new Error('BATCHYARD_IMAGE_MAP must be a JSON object');
  for (const [k, v] of Object.entries(parsed)) {
    const entry = v as Partial<ImageMapping> | null;
    if (!entry || !Array.isArray(entry.entrypoint)) {
      throw new Error(`BATCHYARD_IMAGE_MAP entry ${k} needs an "entrypoint" array`);
    }
  }
  return parsed as ImageTable;
}

function normalise(image: string): { name: string; tag: string } {
  let ref = image.replace(/^docker\.io\/(library\/)?/, '');
  let tag = 'latest';
  const at = ref.indexOf('@');
  if (at >= 0) {
    tag = ref.slice(at + 1);
    ref = ref.slice(0, at);
  }
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) {
    tag = ref.slice(colon + 1);
    ref = ref.slice(0, colon);
  }
  return { name: ref, tag };
}

export function resolveImage(table: ImageTable, image: string): ImageMapping | undefined {
  const { name, tag } = normalise(image);
  return table[`${name}:${tag}`] ?? table[`${name}:*`] ?? table[name];
}

/** Kubelet's rule for the argv of a container. */
export function containerArgv(mapping: ImageMapping, command?: string[], args?: string[]): string[] {
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  return [...mapping.entrypoint, ...(args && args.length > 0 ? args : (mapping.cmd ?? []))];
}

/**
 * Image names the e2e tests put into pod specs. On the local tier the node agent's image table
 * maps them to local commands; against a real cluster, point them at real images with
 * BATCHYARD_E2E_SHELL_IMAGE / BATCHYARD_E2E_NODE_IMAGE / BATCHYARD_E2E_SAMPLE_IMAGE.
 */
export interface TestImages {
  /** Runs `command`/`args` with /bin/sh as the entrypoint (e.g. busybox on a real cluster). */
  shell: string;
  /** Entrypoint `node` (e.g. node:20-alpine on a real cluster). */
  node: string;
  /** The sample batch task (apps/sample-task). */
  sample: string;
}

export function defaultTestImages(env: NodeJS.ProcessEnv = process.env): TestImages {
  return {
    shell: env.BATCHYARD_E2E_SHELL_IMAGE ?? 'batchyard/test-shell:1',
    node: env.BATCHYARD_E2E_NODE_IMAGE ?? 'batchyard/test-node:1',
    sample: env.BATCHYARD_E2E_SAMPLE_IMAGE ?? 'batchyard/worker-sample:1.0',
  };
}
