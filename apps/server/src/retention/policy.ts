import { RetentionOverride } from '@batchyard/core';

/**
 * A retention policy: keep executions for `days` after they ended and/or only the `keepLast`
 * newest per task. An execution goes when either limit says so (as Jenkins' daysToKeep /
 * numToKeep); an absent limit keeps everything.
 */
export interface Policy {
  days?: number;
  keepLast?: number;
}

/** The policy that applies to a task: its override (null lifts a limit) over the default. */
export function effectivePolicy(defaults: Policy, override: RetentionOverride | undefined): Policy {
  const pick = (key: keyof Policy): number | undefined => {
    const own = override?.[key];
    if (own === null) return undefined;
    return own ?? defaults[key];
  };
  const out: Policy = {};
  const days = pick('days');
  const keepLast = pick('keepLast');
  if (days !== undefined) out.days = days;
  if (keepLast !== undefined) out.keepLast = keepLast;
  return out;
}

export const isEmpty = (p: Policy): boolean => p.days === undefined && p.keepLast === undefined;

/** A stored override (JSON column) read back; anything unreadable counts as no override. */
export function readOverride(value: unknown): RetentionOverride | undefined {
  const parsed = RetentionOverride.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export const policyJson = (p: Policy) => ({ days: p.days ?? null, keepLast: p.keepLast ?? null });
