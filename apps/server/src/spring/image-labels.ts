/**
 * SCDF's second source of an app's options: the image label
 * `org.springframework.cloud.dataflow.spring-configuration-metadata.json` (the metadata JSON that
 * SCDF's apps-metadata Maven plugin puts on the image), read from the registry over the Docker
 * Registry HTTP API v2: manifest (a multi-platform index resolves to linux/amd64), then the config
 * blob's `config.Labels`. Anonymous pulls only, with the registry's bearer token challenge
 * (Docker Hub's); loopback registries over plain HTTP, as Docker treats them; all else HTTPS.
 */

export const METADATA_LABEL = 'org.springframework.cloud.dataflow.spring-configuration-metadata.json';

export interface ImageRef {
  /** host[:port] of the registry API. */
  registry: string;
  repository: string;
  /** Tag or digest. */
  reference: string;
}

/** `acme/etl:1.0`, `etl`, `host:5000/team/etl:2`, `…@sha256:…` → registry, repository, reference. */
export function parseImage(image: string): ImageRef {
  let rest = image.replace(/^docker:(\/\/)?/, '');
  let registry = 'registry-1.docker.io';
  const slash = rest.indexOf('/');
  const first = slash > 0 ? rest.slice(0, slash) : '';
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first === 'docker.io' || first === 'index.docker.io' ? registry : first;
    rest = rest.slice(slash + 1);
  }
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  if (registry === 'registry-1.docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  return { registry, repository: rest, reference };
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

const loopback = (registry: string) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(registry);

interface Manifest {
  config?: { digest?: string };
  manifests?: { digest?: string; platform?: { os?: string; architecture?: string } }[];
}

/** GET with the registry's token challenge answered once (anonymous). */
async function registryGet(url: string, accept: string, signal: AbortSignal): Promise<Response> {
  let res = await fetch(url, { headers: { accept }, signal });
  const challenge = res.status === 401 ? res.headers.get('www-authenticate') : null;
  if (!challenge?.toLowerCase().startsWith('bearer ')) return res;
  const params = Object.fromEntries(
    [...challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  if (!params.realm) return res;
  const tokenUrl = new URL(params.realm);
  if (params.service) tokenUrl.searchParams.set('service', params.service);
  if (params.scope) tokenUrl.searchParams.set('scope', params.scope);
  const token = (await (await fetch(tokenUrl, { signal })).json()) as {
    token?: string;
    access_token?: string;
  };
  const bearer = token.token ?? token.access_token;
  if (!bearer) return res;
  res = await fetch(url, { headers: { accept, authorization: `Bearer ${bearer}` }, signal });
  return res;
}

/** The label's text, or undefined (no such label, registry unreachable, not an image we can read). */
export async function imageMetadataLabel(image: string, timeoutMs = 5000): Promise<string | undefined> {
  const ref = parseImage(image);
  const base = `${loopback(ref.registry) ? 'http' : 'https'}://${ref.registry}/v2/${ref.repository}`;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    let res = await registryGet(`${base}/manifests/${ref.reference}`, MANIFEST_TYPES, signal);
    if (!res.ok) return undefined;
    let manifest = (await res.json()) as Manifest;
    if (manifest.manifests) {
      const pick =
        manifest.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ??
        manifest.manifests[0];
      if (!pick?.digest) return undefined;
      res = await registryGet(`${base}/manifests/${pick.digest}`, MANIFEST_TYPES, signal);
      if (!res.ok) return undefined;
      manifest = (await res.json()) as Manifest;
    }
    const digest = manifest.config?.digest;
    if (!digest) return undefined;
    res = await registryGet(`${base}/blobs/${digest}`, 'application/json, */*', signal);
    if (!res.ok) return undefined;
    const config = (await res.json()) as { config?: { Labels?: Record<string, string> } };
    return config.config?.Labels?.[METADATA_LABEL];
  } catch {
    return undefined;
  }
}

/** Labels read once per image for `ttlMs` (a registry round trip per GET /apps/… would be slow). */
export class ImageLabelCache {
  private readonly entries = new Map<string, { at: number; value: Promise<string | undefined> }>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly read: (image: string) => Promise<string | undefined> = imageMetadataLabel,
  ) {}

  label(image: string): Promise<string | undefined> {
    const now = Date.now();
    const hit = this.entries.get(image);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = this.read(image);
    this.entries.set(image, { at: now, value });
    if (this.entries.size > 1000) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
