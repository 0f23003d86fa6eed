import {
  type LaunchBody,
  type LaunchPreview,
  notFound,
  PREVIEW_EXECUTION_ID,
  REDACTED,
} from '@batchyard/core';
import { definitions, type PrismaClient } from '@batchyard/db';
import type { LaunchSpec } from '../platform/types.js';
import type { Launcher } from '../services/launcher.js';
import { withSpringContract } from '../spring/launch-contract.js';

/**
 * The dry run of a launch: the same checks as `POST /tasks/executions` (Launcher.prepare, or the
 * orchestrator's for a composed task), then the manifest the platform would create, built by the
 * platform's own `manifest()` from the same spec `launch()` gets. Nothing is written: no row, no
 * audit record, no idempotency claim, no task token (a local process's token is named, never minted).
 */
export async function previewLaunch(
  db: PrismaClient,
  launcher: Launcher,
  body: LaunchBody,
): Promise<LaunchPreview> {
  const def = await definitions.findDefinition(db, body.name);
  if (!def) throw notFound('task definition', body.name);
  if (def.composed && launcher.composed) {
    await launcher.composed.validate(body);
    return {
      taskName: def.name,
      composed: true,
      platformName: null,
      platformType: null,
      app: null,
      manifest: null,
      executionId: PREVIEW_EXECUTION_ID,
    };
  }
  const { platform, spec } = await launcher.prepare(body, def);
  const launchSpec: LaunchSpec = { ...spec, executionId: PREVIEW_EXECUTION_ID, parentExecutionId: null };
  // As Launcher.start: a local process would get the API's address and a token (its name only shows).
  const withApi =
    platform.type === 'local' && launcher.apiUrl
      ? { ...launchSpec, taskApi: { url: launcher.apiUrl, token: REDACTED } }
      : launchSpec;
  return {
    taskName: def.name,
    composed: false,
    platformName: platform.name,
    platformType: platform.type,
    app: { name: spec.appName, version: spec.appVersion, uri: spec.uri },
    manifest: await platform.manifest(withSpringContract(withApi)),
    executionId: PREVIEW_EXECUTION_ID,
  };
}
