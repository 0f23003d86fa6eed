import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { checkRestricted } from '../../packages/k8s/src/pod-security/restricted-check.js';
// @ts-expect-error -- plain ESM script without declarations
import { toolPaths } from '../../scripts/helm.mjs';

// Every pod the chart runs passes Pod Security "restricted" (the task pods' templates are checked in
// packages/k8s/src/pod-security/restricted.test.ts).
const chart = fileURLToPath(new URL('../../charts/batchyard', import.meta.url));
const { helm } = toolPaths() as { helm: string };

function podTemplates(args: string[]): Map<string, V1PodTemplateSpec> {
  const out = execFileSync(helm, ['template', 'rel', chart, '--namespace', 'team-a', ...args], {
    encoding: 'utf8',
  });
  const templates = new Map<string, V1PodTemplateSpec>();
  for (const doc of parseAllDocuments(out)) {
    const m = doc.toJS() as {
      kind?: string;
      metadata?: { name: string };
      spec?: { template?: V1PodTemplateSpec };
    };
    if (m?.spec?.template && m.metadata) templates.set(`${m.kind}/${m.metadata.name}`, m.spec.template);
  }
  return templates;
}

describe('charts/batchyard pods under Pod Security "restricted"', () => {
  it('the server Deployment and the try-out PostgreSQL pass every control', () => {
    const templates = podTemplates([]);
    expect([...templates.keys()].sort()).toEqual([
      'Deployment/rel-batchyard',
      'StatefulSet/rel-batchyard-postgresql',
    ]);
    for (const [name, t] of templates) {
      expect({
        name,
        violations: checkRestricted(t.spec ?? { containers: [] }, t.metadata?.annotations ?? {}),
      }).toEqual({
        name,
        violations: [],
      });
    }
  });

  it('the PostgreSQL runs as the image user 999, which owns its volume', () => {
    const pg = podTemplates([]).get('StatefulSet/rel-batchyard-postgresql');
    expect(pg?.spec?.securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999, runAsNonRoot: true });
  });

  it('values can relax it, and the check then names the control', () => {
    const pg = podTemplates(['--set', 'postgresql.securityContext.allowPrivilegeEscalation=true']).get(
      'StatefulSet/rel-batchyard-postgresql',
    );
    expect(checkRestricted(pg?.spec ?? { containers: [] }).map((v) => v.control)).toEqual([
      'Privilege Escalation',
    ]);
  });
});
