import type { executions, Prisma } from '@batchyard/db';
import { type ComposedTask, parseDefinition } from '@batchyard/dsl';

/** Small readers of stored rows and the per-parent lock, shared by the orchestrator. */

type Row = executions.TaskExecution;

export const isEnded = (status: string): boolean =>
  ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(status);

export function safeParse(text: string): ComposedTask | undefined {
  try {
    const parsed = parseDefinition(text);
    return parsed.kind === 'composed' ? parsed.task : undefined;
  } catch {
    return undefined;
  }
}

/** The launch request as stored (sanitised: a masked secret stays masked after a server restart). */
export function storedRequest(row: Row): { arguments: string[]; properties: Record<string, string> } {
  const props =
    row.properties && typeof row.properties === 'object' && !Array.isArray(row.properties)
      ? row.properties
      : {};
  return {
    arguments: Array.isArray(row.arguments) ? row.arguments.map(String) : [],
    properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, String(v)])),
  };
}

/** Serialises "read children → decide → insert" per parent across every server process. */
export async function lockParent(tx: Prisma.TransactionClient, parentId: number): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`batchyard:composed:${parentId}`}))`;
}
