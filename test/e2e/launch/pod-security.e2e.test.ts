import { randomBytes } from 'node:crypto';
import type { ExecutionEvent } from '@batchyard/core';
import type { V1PodSpec } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRestricted } from '../../../packages/k8s/src/pod-security/restricted-check.js';
import { type Execution, type K8sServer, startK8sServer, TERMINAL, until } from '../support/k8s-server.js';
import { type RestrictedWebhook, startRestrictedWebhook } from '../support/restricted-webhook.js';

/**
 * A namespace that enforces Pod Security "restricted". Kubernetes 1.20 has no Pod Security
 * admission, so the test control plane refuses pods through a validating admission webhook that
 * applies the restricted controls (support/restricted-webhook.ts): the Job is accepted, its pod
 * refused, exactly as a namespace labelled pod-security.kubernetes.io/enforce=restricted does on
 * current versions.
 */
describe('task pods in a namespace enforcing Pod Security "restricted"', () => {
  let k: K8sServer;
  let webhook: RestrictedWebhook;
  const get = (id: number) =>
    k.server.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
  const launch = async (properties: Record<string, string> = {}) => {
    const r = await k.server.request<Execution>('POST', '/tasks/executions', { name: 'hello', properties });
    expect(r.status).toBe(201);
    return r.body;
  };

  beforeAll(async () => {
    k = await startK8sServer('podsec');
    webhook = await startRestrictedWebhook(k.ns.kc, randomBytes(4).toString('hex'));
    await k.ns.core.patchNamespace({
      name: k.ns.namespace,
      body: [
        {
          op: 'add',
          path: `/metadata/labels/${webhook.label.key.replace('/', '~1')}`,
          value: webhook.label.value,
        },
      ],
    });
    await k.server.request('POST', '/apps/task/scripted/1.0', { uri: 'docker:batchyard/scripted-task:1.0' });
    await k.server.request('POST', '/tasks/definitions', {
      name: 'hello',
      definition: 'scripted --print=hi',
    });
  });
  afterAll(async () => {
    await webhook?.close();
    await k?.close();
  });

  it('a launch with default properties runs: its pod, as the API server stored it, passes the restricted controls', async () => {
    const e = await launch();
    const done = await until(
      () => get(e.id),
      (x) => TERMINAL.includes(x.status),
      `execution ${e.id} to end`,
    );
    expect(done).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
    const job = await k.ns.batch.readNamespacedJob({
      name: done.externalExecutionId ?? '',
      namespace: k.ns.namespace,
    });
    expect(checkRestricted(job.spec?.template.spec as V1PodSpec)).toEqual([]);
    expect(webhook.denied()).toBe(0);
    // Its events: the Job controller created the pod, the scheduler placed it.
    const events = await until(
      () => k.server.request<{ items: ExecutionEvent[] }>('GET', `/tasks/executions/${e.id}/events`),
      (r) => r.body.items.some((x) => x.reason === 'Scheduled'),
      'the pod to have its Scheduled event',
    );
    expect(events.status).toBe(200);
    expect(events.body.items).toContainEqual(
      expect.objectContaining({
        reason: 'SuccessfulCreate',
        object: { kind: 'Job', name: done.externalExecutionId },
      }),
    );
    expect(events.body.items).toContainEqual(
      expect.objectContaining({ reason: 'Scheduled', type: 'Normal', source: 'default-scheduler' }),
    );
  });

  it('a launch that relaxes a control: the pod is refused and the execution says why (PodForbidden), then fails', async () => {
    const e = await launch({
      'deployer.scripted.containerSecurityContext': '{"allowPrivilegeEscalation":true}',
    });
    const refused = await until(
      () => get(e.id),
      (x) => x.reason === 'PodForbidden' || TERMINAL.includes(x.status),
      `execution ${e.id} to show the admission refusal`,
    );
    expect(refused.reason).toBe('PodForbidden');
    expect(refused.errorMessage).toMatch(
      /denied the request: violates PodSecurity "restricted:latest": Privilege Escalation/,
    );
    expect(webhook.denied()).toBeGreaterThan(0);
    const { body } = await k.server.request<{ items: ExecutionEvent[] }>(
      'GET',
      `/tasks/executions/${e.id}/events`,
    );
    expect(body.items).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'FailedCreate',
        source: 'job-controller',
        object: { kind: 'Job', name: refused.externalExecutionId },
        message: expect.stringContaining('denied the request'),
      }),
    );
    // Admission never changes its mind: after the pending timeout (10 s here) the execution fails.
    const failed = await until(
      () => get(e.id),
      (x) => TERMINAL.includes(x.status),
      `execution ${e.id} to end`,
    );
    expect(failed).toMatchObject({ status: 'FAILED', reason: 'PodForbidden' });
    expect(failed.errorMessage).toMatch(/allowPrivilegeEscalation.*gave up after/);
  });
});
