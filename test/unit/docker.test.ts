import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

// The Dockerfiles cannot be built here (no Docker engine), so they are linted with dockerfile-utils
// (the validator behind VS Code's Dockerfile support) and every path they COPY is checked against
// the repository: build-context sources must exist in the checkout, sources copied from a build
// stage (WORKDIR /app = the repository root) must exist after `npm run build`.
const root = fileURLToPath(new URL('../..', import.meta.url));
const dockerfiles = ['server.Dockerfile', 'worker.Dockerfile', 'sample-task.Dockerfile'];
const read = (name: string): string => readFileSync(join(root, 'docker', name), 'utf8');

/** Where a COPY source lives in this checkout, or undefined for an image outside the repo. */
function localPath(
  source: string,
  from: string | undefined,
  stages: ReadonlySet<string>,
): string | undefined {
  if (from === undefined) return source.replace(/^\.\//, '');
  if (!stages.has(from)) return undefined; // another image, e.g. the worker base
  if (!source.startsWith('/app/')) throw new Error(`stage ${from}: ${source} is outside /app`);
  return source.slice('/app/'.length);
}

describe.each(dockerfiles)('docker/%s', (name) => {
  const content = read(name);
  const dockerfile = DockerfileParser.parse(content);

  it('passes the dockerfile-utils validator without problems', () => {
    const problems = validate(content).map((d) => `${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it('copies only paths that exist after npm run build', () => {
    const stages = new Set(
      dockerfile
        .getFROMs()
        .map((f) => f.getBuildStage())
        .filter((s): s is string => s !== null),
    );
    const missing: string[] = [];
    const copies = dockerfile.getCOPYs();
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const from = copy.getFromFlag()?.getValue() ?? undefined;
      const args = copy.getArguments().map((a) => a.getValue());
      for (const source of args.slice(0, -1)) {
        const path = localPath(source, from, stages);
        if (path !== undefined && !existsSync(join(root, path)))
          missing.push(`${from ?? 'context'}: ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('runs as a non-root user and pins OCI labels', () => {
    const last = dockerfile.getFROMs().at(-1);
    expect(last).toBeDefined();
    if (name !== 'sample-task.Dockerfile') {
      expect(content).toMatch(/^USER 10001:10001$/m);
      expect(content).toMatch(/^HEALTHCHECK /m);
      expect(content).toContain('npm ci --omit=dev');
    }
    expect(content).toContain('org.opencontainers.image.title=');
  });
});

describe('.dockerignore files', () => {
  it('exist next to each Dockerfile (BuildKit reads <name>.dockerignore)', () => {
    for (const name of dockerfiles)
      expect(existsSync(join(root, 'docker', `${name}.dockerignore`))).toBe(true);
  });
});
